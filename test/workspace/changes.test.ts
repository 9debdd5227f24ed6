import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  branchDescendsFrom,
  commitChanges,
  describeProposal,
  worktreeFingerprint,
} from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, writeFiles } from "../helpers/git.ts";
import { RUN_BRANCH, workspaceFixture } from "./fixture.ts";

const GAFFER = { name: "gaffer", email: "gaffer@example.com" };

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

  it("commits edits, new files and deletions, never ignored files", async (t) => {
    const { ws } = await workspaceFixture(t);
    writeFiles(ws.dir, {
      "src/math.js": "edited\n",
      "src/new file.js": "new\n",
      "a[1].txt": "x",
      "debug.log": "no",
    });
    writeFiles(ws.dir, { "a1.txt": "x" });
    writeFileSync(join(ws.dir, ".gitignore"), ".gaffer/\n*.log\na1.txt\n");
    rmSync(join(ws.dir, "README.md"));
    const { committed, head } = await commitChanges(ws, "gaffer: work", GAFFER);
    assert.equal(committed, true);
    assert.equal(gitOut(ws.dir, "rev-parse", "HEAD"), head);
    assert.deepEqual(gitOut(ws.dir, "ls-tree", "-r", "--name-only", "HEAD").split("\n"), [
      ".gitignore",
      "a[1].txt",
      "src/math.js",
      "src/new file.js",
    ]);
    assert.equal(
      gitOut(ws.dir, "log", "-1", "--format=%an <%ae>|%cn|%s"),
      "gaffer <gaffer@example.com>|gaffer|gaffer: work",
    );
    assert.equal(gitOut(ws.dir, "status", "--porcelain"), "");
  });

  it("keeps the agent's own commits and stages what it left staged", async (t) => {
    const { ws, baseCommit } = await workspaceFixture(t);
    writeFiles(ws.dir, { "one.txt": "1" });
    const agentCommit = commitAll(ws.dir, "agent: one");
    writeFiles(ws.dir, { "two.txt": "2" });
    git(ws.dir, "add", "two.txt");
    const { committed } = await commitChanges(ws, "gaffer: rest", GAFFER);
    assert.equal(committed, true);
    assert.equal(gitOut(ws.dir, "rev-parse", "HEAD~1"), agentCommit);
    assert.equal(gitOut(ws.dir, "rev-parse", "HEAD~2"), baseCommit);
  });

  it("commits nothing when nothing changed", async (t) => {
    const { ws, baseCommit } = await workspaceFixture(t);
    writeFiles(ws.dir, { "debug.log": "ignored" });
    assert.deepEqual(await commitChanges(ws, "x", GAFFER), { committed: false, head: baseCommit });
  });

  it("describes the proposal: commits oldest first and a diff stat", async (t) => {
    const { ws, baseCommit } = await workspaceFixture(t);
    writeFiles(ws.dir, { "one.txt": "1\n" });
    const first = commitAll(ws.dir, "Add one");
    writeFiles(ws.dir, { "src/math.js": "export const sub = (a, b) => a - b;\n" });
    const { head } = await commitChanges(ws, "Add subtract", GAFFER);
    const proposal = await describeProposal(ws, baseCommit);
    assert.equal(proposal.head, head);
    assert.deepEqual(proposal.commits, [
      { sha: first, subject: "Add one", author: "Test User <test@example.com>" },
      { sha: head, subject: "Add subtract", author: "gaffer <gaffer@example.com>" },
    ]);
    assert.match(proposal.diffStat, /one\.txt +\| 1 \+/);
    assert.match(proposal.diffStat, /2 files changed, 2 insertions\(\+\), 1 deletion\(-\)/);
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
