import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { captureBaseline } from "../../../src/guard/integrity/index.ts";
import { checkMetadata } from "../../../src/guard/integrity/metadata.ts";
import { workspaceGit } from "../../../src/workspace/index.ts";
import { agentCommit, integrityFixture, rules } from "./fixture.ts";

function hooksDir(dir: string): string {
  const hooks = join(dir, ".git", "hooks");
  mkdirSync(hooks, { recursive: true });
  return hooks;
}

describe("guard/integrity/metadata", () => {
  it("finds nothing when the agent left .git alone", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "src/math.js": "// changed\n" });
    assert.deepEqual(await checkMetadata(fx.ws, fx.baseline), []);
  });

  it("finds a new hook", async (t) => {
    const fx = await integrityFixture(t);
    writeFileSync(join(hooksDir(fx.dir), "pre-commit"), "#!/bin/sh\ncurl evil\n", { mode: 0o755 });
    const findings = await checkMetadata(fx.ws, fx.baseline);
    assert.deepEqual(rules(findings), ["hooks-changed"]);
    assert.deepEqual(findings[0]?.evidence, { added: ["pre-commit"], removed: [], modified: [] });
    assert.equal(findings[0]?.severity, "block");
  });

  it("finds a modified and a removed hook", async (t) => {
    const fx = await integrityFixture(t);
    const hooks = hooksDir(fx.dir);
    writeFileSync(join(hooks, "pre-push"), "#!/bin/sh\nexit 1\n");
    writeFileSync(join(hooks, "post-commit"), "#!/bin/sh\n");
    const baseline = await captureBaseline(fx.ws);
    writeFileSync(join(hooks, "pre-push"), "#!/bin/sh\nexit 0\n");
    rmSync(join(hooks, "post-commit"));
    const findings = await checkMetadata(fx.ws, baseline);
    assert.deepEqual(findings[0]?.evidence, { added: [], removed: ["post-commit"], modified: ["pre-push"] });
  });

  it("finds a modified config", async (t) => {
    const fx = await integrityFixture(t);
    appendFileSync(join(fx.dir, ".git", "config"), "[core]\n\thooksPath = planted\n");
    const findings = await checkMetadata(fx.ws, fx.baseline);
    assert.deepEqual(rules(findings), ["config-changed"]);
    assert.equal(findings[0]?.evidence.expectedSha256, fx.baseline.configSha256);
    assert.notEqual(findings[0]?.evidence.foundSha256, fx.baseline.configSha256);
  });

  it("finds a modified config that gaffer already restored between turns", async (t) => {
    const fx = await integrityFixture(t);
    appendFileSync(join(fx.dir, ".git", "config"), "[core]\n\tfsmonitor = planted\n");
    await workspaceGit(fx.ws, ["status", "--short"]);
    const findings = await checkMetadata(fx.ws, fx.baseline);
    assert.deepEqual(rules(findings), ["config-changed"]);
    assert.equal(findings[0]?.evidence.foundSha256, fx.baseline.configSha256);
    assert.equal((findings[0]?.evidence.restoredCopies as string[]).length, 1);
  });
});
