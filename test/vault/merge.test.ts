import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { checkMergeable, diffFacts, mergeIntoBranch } from "../../src/vault/merge.ts";
import { commitAll, git, gitOut, gitRepo, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

const IDENTITY = { name: "gaffer", email: "gaffer@localhost" };

/** A project on main with a proposal branch that changes src/calc.js and adds a test. */
function project(t: TestContext): { dir: string; base: string; head: string } {
  const dir = gitRepo(t, { "src/calc.js": "export const add = (a, b) => a + b;\n", "README.md": "calc\n" });
  const base = gitOut(dir, "rev-parse", "HEAD");
  git(dir, "switch", "--quiet", "-c", "gaffer/1-multiply");
  writeFiles(dir, {
    "src/calc.js": "export const add = (a, b) => a + b;\nexport const multiply = (a, b) => a * b;\n",
    "test/calc.test.js": "// multiply\n",
  });
  const head = commitAll(dir, "Add multiply");
  git(dir, "switch", "--quiet", "main");
  return { dir, base, head };
}

const spec = (head: string) => ({
  into: "main",
  head,
  message: "Merge gaffer/1-multiply (gaffer run 1)",
  identity: IDENTITY,
});

describe("vault merge: gaffer's own hardened merge into the default branch", () => {
  it("measures what a proposal's diff touches", async (t) => {
    const { dir, base, head } = project(t);
    assert.deepEqual(await diffFacts(dir, base, head), {
      paths: ["src/calc.js", "test/calc.test.js"],
      lines: 2,
      files: 2,
    });
  });

  it("merges into main checked out in a clean worktree and brings the worktree along", async (t) => {
    const { dir, head } = project(t);
    writeFileSync(join(dir, "notes.txt"), "my untracked notes\n");
    const before = gitOut(dir, "rev-parse", "main");
    const merged = await mergeIntoBranch(dir, spec(head));
    assert.equal(merged.before, before);
    assert.equal(merged.worktree, dir);
    assert.equal(gitOut(dir, "rev-parse", "main"), merged.commit);
    assert.equal(gitOut(dir, "rev-parse", "HEAD"), merged.commit, "the user's HEAD follows main");
    assert.equal(
      gitOut(dir, "log", "-1", "--format=%P", "main"),
      `${before} ${head}`,
      "a merge commit: main first, then the proposal",
    );
    assert.equal(
      gitOut(dir, "log", "-1", "--format=%an <%ae>|%s", "main"),
      "gaffer <gaffer@localhost>|Merge gaffer/1-multiply (gaffer run 1)",
    );
    assert.match(
      readFileSync(join(dir, "src/calc.js"), "utf8"),
      /multiply/,
      "the worktree has the merged files",
    );
    assert.ok(existsSync(join(dir, "test/calc.test.js")));
    assert.equal(
      gitOut(dir, "status", "--porcelain"),
      "?? notes.txt",
      "clean but for the user's untracked file",
    );
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "my untracked notes\n");
  });

  it("refuses, and touches nothing, when the checked-out default branch has uncommitted changes", async (t) => {
    const { dir, head } = project(t);
    writeFileSync(join(dir, "README.md"), "calc — my unsaved edit\n");
    git(dir, "add", "README.md");
    writeFileSync(join(dir, "src/calc.js"), "// work in progress\n");
    const before = gitOut(dir, "rev-parse", "main");
    const refused = {
      code: "git-failed",
      message: `main is checked out in ${dir} with 2 uncommitted changes; gaffer will not touch them`,
    };
    await assert.rejects(checkMergeable(dir, "main", head), refused);
    await assert.rejects(mergeIntoBranch(dir, spec(head)), refused);
    assert.equal(gitOut(dir, "rev-parse", "main"), before);
    assert.equal(readFileSync(join(dir, "src/calc.js"), "utf8"), "// work in progress\n");
    assert.equal(readFileSync(join(dir, "README.md"), "utf8"), "calc — my unsaved edit\n");
    assert.equal(gitOut(dir, "status", "--porcelain"), "M  README.md\n M src/calc.js".trim());
  });

  it("refuses to overwrite an untracked file the merge would add", async (t) => {
    const { dir, head } = project(t);
    writeFiles(dir, { "test/calc.test.js": "my own test, not committed\n" });
    await assert.rejects(mergeIntoBranch(dir, spec(head)), {
      message: `the merge adds test/calc.test.js, which is an untracked file in ${dir}; gaffer will not overwrite it`,
    });
    assert.equal(readFileSync(join(dir, "test/calc.test.js"), "utf8"), "my own test, not committed\n");
  });

  it("puts the branch back when the worktree cannot be brought along", async (t) => {
    const { dir, head } = project(t);
    const before = gitOut(dir, "rev-parse", "main");
    writeFileSync(join(dir, ".git", "index.lock"), "");
    await assert.rejects(mergeIntoBranch(dir, spec(head)), /index\.lock/);
    assert.equal(gitOut(dir, "rev-parse", "main"), before, "the ref update was undone");
    assert.doesNotMatch(readFileSync(join(dir, "src/calc.js"), "utf8"), /multiply/);
  });

  it("moves only the ref when the default branch is not checked out, and updates a linked worktree that has it", async (t) => {
    const { dir, head } = project(t);
    git(dir, "switch", "--quiet", "-c", "side");
    const merged = await mergeIntoBranch(dir, spec(head));
    assert.equal(merged.worktree, null);
    assert.equal(
      gitOut(dir, "rev-parse", "HEAD"),
      gitOut(dir, "rev-parse", "side"),
      "the user's branch is untouched",
    );
    assert.doesNotMatch(readFileSync(join(dir, "src/calc.js"), "utf8"), /multiply/);

    const other = project(t);
    git(other.dir, "switch", "--quiet", "-c", "side-2");
    const linked = join(tempDir(t, "gaffer-linked-"), "main");
    git(other.dir, "worktree", "add", "--quiet", linked, "main");
    const inLinked = await mergeIntoBranch(other.dir, spec(other.head));
    assert.equal(inLinked.worktree, linked);
    assert.match(readFileSync(join(linked, "src/calc.js"), "utf8"), /multiply/);
    assert.equal(gitOut(linked, "status", "--porcelain"), "");
  });

  it("merges into a bare repository", async (t) => {
    const { dir, head } = project(t);
    const bare = join(tempDir(t, "gaffer-bare-"), "calc.git");
    git(dir, "clone", "--quiet", "--bare", dir, bare);
    const merged = await mergeIntoBranch(bare, spec(head));
    assert.equal(merged.worktree, null);
    assert.equal(gitOut(bare, "rev-parse", "main"), merged.commit);
  });

  it("refuses a proposal that conflicts with main, or is already merged", async (t) => {
    const { dir, head } = project(t);
    writeFiles(dir, { "src/calc.js": "export const add = (a, b) => b + a;\n" });
    commitAll(dir, "main moved on");
    await assert.rejects(checkMergeable(dir, "main", head), {
      code: "git-failed",
      message: "the proposal conflicts with main (both changed src/calc.js)",
    });

    const fresh = project(t);
    await mergeIntoBranch(fresh.dir, spec(fresh.head));
    await assert.rejects(checkMergeable(fresh.dir, "main", fresh.head), {
      code: "run-state",
      message: `${fresh.head.slice(0, 12)} is already merged into main`,
    });
  });

  it("runs none of the repository's hooks", async (t) => {
    const { dir, head } = project(t);
    const marker = join(dir, "..", `hook-ran-${Date.now()}`);
    for (const hook of [
      "reference-transaction",
      "post-merge",
      "post-checkout",
      "pre-commit",
      "post-index-change",
    ]) {
      const path = join(dir, ".git", "hooks", hook);
      writeFileSync(path, `#!/bin/sh\necho ${hook} >> ${marker}\n`);
      chmodSync(path, 0o755);
    }
    git(dir, "update-ref", "refs/heads/probe", "HEAD");
    assert.ok(existsSync(marker), "the hooks work when git runs them");
    writeFileSync(marker, "");
    await mergeIntoBranch(dir, spec(head));
    assert.equal(readFileSync(marker, "utf8"), "", "gaffer's merge ran no hook");
  });
});
