import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { branchDescendsFrom, worktreeFingerprint } from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, writeFiles } from "../helpers/git.ts";
import { RUN_BRANCH, workspaceFixture } from "./fixture.ts";

describe("workspace/changes", () => {
  it("fingerprints HEAD and the worktree, ignored files aside", async (t) => {
    const { ws } = await workspaceFixture(t);
    const clean = await worktreeFingerprint(ws);
    assert.equal(await worktreeFingerprint(ws), clean);

    writeFiles(ws.dir, { "debug.log": "ignored" });
    assert.equal(await worktreeFingerprint(ws), clean, "ignored files do not count");

    writeFiles(ws.dir, { "README.md": "# edited\n" });
    const edited = await worktreeFingerprint(ws);
    assert.notEqual(edited, clean);
    writeFiles(ws.dir, { "README.md": "# demo\n" });
    assert.equal(await worktreeFingerprint(ws), clean, "reverting the edit restores it");

    writeFiles(ws.dir, { "new/file.txt": "untracked" });
    assert.notEqual(await worktreeFingerprint(ws), clean);
    rmSync(join(ws.dir, "new"), { recursive: true });

    git(ws.dir, "commit", "--quiet", "--allow-empty", "-m", "empty");
    assert.notEqual(await worktreeFingerprint(ws), clean, "a new HEAD counts");
  });

  it("leaves the agent's index alone while fingerprinting", async (t) => {
    const { ws } = await workspaceFixture(t);
    writeFiles(ws.dir, { "staged.txt": "s", "README.md": "unstaged\n" });
    git(ws.dir, "add", "staged.txt");
    const before = gitOut(ws.dir, "status", "--porcelain");
    await worktreeFingerprint(ws);
    assert.equal(gitOut(ws.dir, "status", "--porcelain"), before);
  });

  it("tells whether a branch descends from the base", async (t) => {
    const { ws, baseCommit } = await workspaceFixture(t);
    writeFiles(ws.dir, { "one.txt": "1" });
    commitAll(ws.dir, "one");
    assert.equal(await branchDescendsFrom(ws, RUN_BRANCH, baseCommit), true);
    assert.equal(await branchDescendsFrom(ws, "main", baseCommit), true);
    assert.equal(await branchDescendsFrom(ws, "missing", baseCommit), false);
    git(ws.dir, "switch", "--quiet", "--orphan", "rewritten");
    writeFiles(ws.dir, { "only.txt": "new history" });
    commitAll(ws.dir, "history rewritten");
    assert.equal(await branchDescendsFrom(ws, "rewritten", baseCommit), false);
  });
});
