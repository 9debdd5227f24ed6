import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_DENY_PATHS } from "../../../src/guard/integrity/index.ts";
import { checkPaths } from "../../../src/guard/integrity/paths.ts";
import { git, writeFiles } from "../../helpers/git.ts";
import { agentCommit, type IntegrityFixture, integrityFixture, recordedWork, rules } from "./fixture.ts";

const FILES = { "gaffer.toml": "[gate]\n" };

async function check(fx: IntegrityFixture, allowPaths: string[] = []) {
  return checkPaths(await recordedWork(fx), {
    baseCommit: fx.baseCommit,
    allowPaths,
    denyPaths: DEFAULT_DENY_PATHS,
  });
}

describe("guard/integrity/paths", () => {
  it("finds nothing when every change is allowed, committed or not", async (t) => {
    const fx = await integrityFixture(t, FILES);
    agentCommit(fx.dir, { "src/math.js": "export const add = (a, b) => b + a;\n" });
    writeFiles(fx.dir, { "src/sub.js": "// new\n", "debug.log": "ignored\n", ".gaffer/notes": "ignored\n" });
    assert.deepEqual(await check(fx, ["src/**"]), []);
    assert.deepEqual(await check(fx), []);
  });

  it("finds committed, uncommitted and untracked paths outside allowPaths", async (t) => {
    const fx = await integrityFixture(t, FILES);
    agentCommit(fx.dir, { "README.md": "# changed\n" });
    writeFiles(fx.dir, { "bin/tool": "#!/bin/sh\n", "src/ok.js": "// fine\n" });
    const findings = await check(fx, ["src/**"]);
    assert.deepEqual(rules(findings), ["path-not-allowed", "path-not-allowed"]);
    assert.deepEqual(
      findings.map((f) => f.evidence.path),
      ["README.md", "bin/tool"],
    );
    assert.ok(findings.every((f) => f.check === "paths" && f.severity === "block"));
  });

  it("finds gaffer.toml changed, even when a later commit undid it", async (t) => {
    const fx = await integrityFixture(t, FILES);
    agentCommit(fx.dir, { "gaffer.toml": "[gate]\ncommands = []\n" });
    agentCommit(fx.dir, { "gaffer.toml": "[gate]\n" });
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["path-denied"]);
    assert.equal(findings[0]?.evidence.path, "gaffer.toml");
  });

  it("finds an uncommitted change to a denied path", async (t) => {
    const fx = await integrityFixture(t, FILES);
    writeFiles(fx.dir, { "gaffer.toml": "[gate]\ncommands = []\n" });
    assert.deepEqual(rules(await check(fx, ["src/**"])), ["path-denied"]);
  });

  it("finds a symlink added to /etc/passwd or out of the workspace, not one within it", async (t) => {
    const fx = await integrityFixture(t);
    symlinkSync("/etc/passwd", join(fx.dir, "src", "passwd"));
    symlinkSync("../../outside", join(fx.dir, "src", "up"));
    symlinkSync("../.git/config", join(fx.dir, "src", "config"));
    symlinkSync("math.js", join(fx.dir, "src", "alias.js"));
    git(fx.dir, "add", "src/passwd");
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["symlink-outside", "symlink-outside", "symlink-outside"]);
    assert.deepEqual(
      findings.map((f) => [f.evidence.path, f.evidence.target]),
      [
        ["src/config", "../.git/config"],
        ["src/passwd", "/etc/passwd"],
        ["src/up", "../../outside"],
      ],
    );
  });
});
