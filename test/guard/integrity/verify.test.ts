import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_DENY_PATHS, type Finding, verifyIntegrity } from "../../../src/guard/integrity/index.ts";
import { workspaceAt } from "../../../src/workspace/index.ts";
import { git, writeFiles } from "../../helpers/git.ts";
import {
  agentCommit,
  type IntegrityFixture,
  integrityFixture,
  RUN_BRANCH,
  recordedWork,
  rules,
} from "./fixture.ts";

async function verify(fx: IntegrityFixture, allowPaths: string[] = []): Promise<Finding[]> {
  return verifyIntegrity(fx.ws, await recordedWork(fx), {
    baseline: fx.baseline,
    branch: RUN_BRANCH,
    baseCommit: fx.baseCommit,
    allowPaths,
    denyPaths: DEFAULT_DENY_PATHS,
  });
}

describe("guard/integrity/verifyIntegrity", () => {
  it("finds nothing in a clean run with commits and leftovers", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "src/math.js": "export const add = (a, b) => b + a;\n" });
    writeFiles(fx.dir, { "src/sub.js": "export const sub = (a, b) => a - b;\n" });
    assert.deepEqual(await verify(fx, ["src/**"]), []);
  });

  it("reports every violation of a misbehaving run as block findings", async (t) => {
    const fx = await integrityFixture(t, { "gaffer.toml": "[gate]\n" });
    agentCommit(fx.dir, { "gaffer.toml": "[gate]\ncommands = []\n" });
    git(fx.dir, "commit", "--quiet", "--amend", "-m", "hidden");
    git(fx.dir, "tag", "v9");
    writeFileSync(join(fx.dir, ".git", "hooks", "post-checkout"), "#!/bin/sh\n");
    const findings = await verify(fx);
    assert.deepEqual(rules(findings), ["history-rewritten", "hooks-changed", "path-denied", "ref-created"]);
    assert.ok(findings.every((f) => f.severity === "block"));
  });

  it("reports a changed config without throwing, even for a handle without onTamper", async (t) => {
    const fx = await integrityFixture(t);
    appendFileSync(join(fx.dir, ".git", "config"), "[core]\n\tfsmonitor = planted\n");
    const findings = await verifyIntegrity(workspaceAt(fx.dir), await recordedWork(fx), {
      baseline: fx.baseline,
      branch: RUN_BRANCH,
      baseCommit: fx.baseCommit,
      allowPaths: [],
      denyPaths: DEFAULT_DENY_PATHS,
    });
    assert.deepEqual(rules(findings), ["config-changed"]);
  });
});
