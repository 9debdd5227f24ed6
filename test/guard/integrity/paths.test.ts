import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_DENY_PATHS } from "../../../src/guard/integrity/index.ts";
import { checkPaths, untrackedRepositories } from "../../../src/guard/integrity/paths.ts";
import { commitAll, git, gitOut, writeFiles } from "../../helpers/git.ts";
import { agentCommit, type IntegrityFixture, integrityFixture, recordedWork, rules } from "./fixture.ts";

const FILES = { "gaffer.toml": "[gate]\n" };

/** The path checks on the recorded work, and the untracked nested repositories left in the workspace. */
async function check(fx: IntegrityFixture, allowPaths: string[] = []) {
  const recorded = await checkPaths(await recordedWork(fx), {
    baseCommit: fx.baseCommit,
    allowPaths,
    denyPaths: DEFAULT_DENY_PATHS,
  });
  return [...recorded, ...(await untrackedRepositories(fx.ws))];
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

  it("judges a chain of symlinks by where it lands, not by its text", async (t) => {
    const fx = await integrityFixture(t);
    mkdirSync(join(fx.dir, "sub"));
    symlinkSync("..", join(fx.dir, "sub", "up"));
    symlinkSync("sub/up/..", join(fx.dir, "escape"));
    symlinkSync("sub/up/.git/config", join(fx.dir, "config"));
    symlinkSync("sub/up/src", join(fx.dir, "source"));
    const findings = await check(fx);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.evidence.path, f.evidence.landing]),
      [
        ["symlink-outside", "config", "git-dir"],
        ["symlink-outside", "escape", "outside"],
      ],
    );
  });

  it("finds a link the base had only when the run made it land elsewhere", async (t) => {
    const fx = await integrityFixture(t);
    writeFiles(fx.dir, { "a/keep": "", "a/b/keep": "" });
    symlinkSync("a/b/../..", join(fx.dir, "top"));
    symlinkSync("/usr/share", join(fx.dir, "shared"));
    commitAll(fx.dir, "links");
    const moved = { ...fx, baseCommit: gitOut(fx.dir, "rev-parse", "HEAD") };
    assert.deepEqual(await check(moved), [], "links the base has are the project's own");
    git(fx.dir, "rm", "-q", "-r", "a/b");
    symlinkSync(".", join(fx.dir, "a", "b"));
    const findings = await check(moved);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.evidence.path, f.evidence.landing]),
      [["symlink-outside", "top", "outside"]],
    );
  });

  it("finds a loop of symlinks", async (t) => {
    const fx = await integrityFixture(t);
    symlinkSync("b", join(fx.dir, "a"));
    symlinkSync("a", join(fx.dir, "b"));
    assert.deepEqual(rules(await check(fx)), ["symlink-unresolvable", "symlink-unresolvable"]);
  });

  it("finds a nested repository, with or without a commit, and a changed .gitmodules", async (t) => {
    const fx = await integrityFixture(t);
    for (const name of ["empty", "full"]) git(fx.dir, "init", "--quiet", name);
    writeFiles(fx.dir, { "empty/a.txt": "a\n", "full/a.txt": "a\n" });
    commitAll(join(fx.dir, "full"), "inner");
    writeFiles(fx.dir, {
      ".gitmodules":
        '[submodule "full"]\n\tpath = full\n\turl = ext::sh -c touch% /tmp/x\n\tupdate = !touch /tmp/x\n',
    });
    const findings = await check(fx);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.evidence.path]),
      [
        ["path-denied", ".gitmodules"],
        ["nested-repository", "empty"],
        ["nested-repository", "full"],
      ],
    );
  });

  it("finds a nested repository committed as a gitlink next to a hostile .gitmodules", async (t) => {
    const fx = await integrityFixture(t);
    git(fx.dir, "init", "--quiet", "inner");
    writeFiles(join(fx.dir, "inner"), { "a.txt": "a\n" });
    commitAll(join(fx.dir, "inner"), "inner");
    writeFiles(fx.dir, { ".gitmodules": '[submodule "inner"]\n\tpath = ../x\n\tupdate = !touch /tmp/x\n' });
    git(fx.dir, "add", "inner", ".gitmodules");
    git(fx.dir, "commit", "--quiet", "-m", "embed");
    const findings = await check(fx);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.evidence.path]),
      [
        ["path-denied", ".gitmodules"],
        ["nested-repository", "inner"],
      ],
    );
  });
});
