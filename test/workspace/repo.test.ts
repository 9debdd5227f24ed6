import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, realpathSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  assertRepository,
  defaultBranchTip,
  detectDefaultBranch,
  resolveProjectRoot,
} from "../../src/workspace/index.ts";
import { git, gitOut, gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("workspace/repo", () => {
  it("detects main, then master, then the current branch", async (t) => {
    assert.equal(await detectDefaultBranch(gitRepo(t, { a: "1" })), "main");
    assert.equal(await detectDefaultBranch(gitRepo(t, { a: "1" }, { branch: "master" })), "master");
    assert.equal(await detectDefaultBranch(gitRepo(t, { a: "1" }, { branch: "trunk" })), "trunk");
  });

  it("prefers main over master and over the current branch", async (t) => {
    const project = gitRepo(t, { a: "1" }, { branch: "master" });
    git(project, "branch", "main");
    git(project, "switch", "--quiet", "--create", "feature");
    assert.equal(await detectDefaultBranch(project), "main");
  });

  it("follows origin/HEAD when that branch exists locally", async (t) => {
    const project = gitRepo(t, { a: "1" });
    git(project, "branch", "develop");
    git(project, "update-ref", "refs/remotes/origin/develop", "HEAD");
    git(project, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop");
    assert.equal(await detectDefaultBranch(project), "develop");
  });

  it("uses an override that exists and rejects one that does not", async (t) => {
    const project = gitRepo(t, { a: "1" });
    git(project, "branch", "release");
    assert.equal(await detectDefaultBranch(project, "release"), "release");
    await assert.rejects(detectDefaultBranch(project, "nope"), {
      code: "usage",
      message: /"nope" does not exist/,
    });
  });

  it("rejects directories outside a repository with not-a-repo and a hint", async (t) => {
    const dir = tempDir(t);
    await assert.rejects(assertRepository(dir), {
      code: "not-a-repo",
      message: `${dir} is not a git repository`,
    });
    await assert.rejects(assertRepository(join(dir, "missing")), { code: "not-a-repo" });
    await assert.rejects(resolveProjectRoot(dir), (error: { hint?: string }) =>
      /git init/.test(error.hint ?? ""),
    );
  });

  it("rejects a repository without commits", async (t) => {
    const project = tempDir(t);
    git(project, "init", "--quiet");
    await assertRepository(project);
    await assert.rejects(defaultBranchTip(project), { code: "no-commits", hint: "make a first commit" });
    await defaultBranchTip(gitRepo(t, { a: "1" }));
  });

  it("resolves the project root from a subdirectory", async (t) => {
    const project = gitRepo(t, { "src/a.js": "1" });
    mkdirSync(join(project, "src", "deep"));
    assert.equal(await resolveProjectRoot(join(project, "src", "deep")), project);
  });

  it("finds the root as git does, with or without starting git", async (t) => {
    const project = gitRepo(t, { "src/a.js": "1", "inner/b.js": "2" });
    git(join(project, "inner"), "init", "--quiet");
    const linked = join(tempDir(t), "linked");
    git(project, "worktree", "add", "--quiet", linked);
    const moved = gitRepo(t, { a: "1" });
    const elsewhere = tempDir(t);
    git(moved, "config", "core.worktree", elsewhere);
    const alias = join(tempDir(t), "alias");
    symlinkSync(project, alias);
    const toplevel = (dir: string) =>
      realpathSync(
        execFileSync("git", ["-C", dir, "rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim(),
      );
    for (const dir of [join(project, "src"), join(project, "inner"), linked, moved, join(alias, "src")]) {
      assert.equal(await resolveProjectRoot(dir), toplevel(dir), dir);
    }
    await assert.rejects(resolveProjectRoot(join(project, ".git")), { code: "not-a-repo" });
  });

  it("refuses a .git/config that is a FIFO instead of waiting on it forever", async (t) => {
    const project = gitRepo(t, { a: "1" });
    rmSync(join(project, ".git", "config"));
    execFileSync("mkfifo", [join(project, ".git", "config")]);
    await assert.rejects(resolveProjectRoot(project), { code: "workspace-tampered", message: /is a FIFO/ });
  });

  it("finds the root past a linked or oversized .git/config, through git", async (t) => {
    const linked = gitRepo(t, { a: "1" });
    const config = join(linked, ".git", "config");
    const elsewhere = join(tempDir(t), "config");
    renameSync(config, elsewhere);
    symlinkSync(elsewhere, config);
    const big = gitRepo(t, { a: "1" });
    appendFileSync(join(big, ".git", "config"), `# ${"x".repeat(70 * 1024)}\n`);
    for (const project of [linked, big]) {
      mkdirSync(join(project, "sub"));
      assert.equal(await resolveProjectRoot(join(project, "sub")), realpathSync(project));
    }
  });

  it("reads the default branch and its tip from one listing", async (t) => {
    const project = gitRepo(t, { a: "1" });
    const head = gitOut(project, "rev-parse", "HEAD");
    assert.deepEqual(await defaultBranchTip(project), { branch: "main", commit: head });
    git(project, "switch", "--quiet", "--create", "feature");
    git(project, "branch", "--delete", "--quiet", "main");
    assert.deepEqual(await defaultBranchTip(project), { branch: "feature", commit: head });
    git(project, "switch", "--quiet", "--detach");
    await assert.rejects(defaultBranchTip(project), { code: "usage", message: /HEAD is detached/ });
    const empty = tempDir(t);
    git(empty, "init", "--quiet");
    await assert.rejects(defaultBranchTip(empty), { code: "no-commits" });
  });
});
