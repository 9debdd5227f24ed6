import assert from "node:assert/strict";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { discardWorkspace, publishBranch, snapshotWorkspace } from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, writeFiles } from "../helpers/git.ts";
import { RUN_BRANCH, workspaceFixture } from "./fixture.ts";

describe("workspace/snapshot", () => {
  it("stores commits and uncommitted work in the project without touching the agent's index", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    writeFiles(ws.dir, { "committed.txt": "c\n" });
    const agentHead = commitAll(ws.dir, "agent commit");
    writeFiles(ws.dir, {
      "README.md": "# edited\n",
      "staged.txt": "s\n",
      "untracked.txt": "u\n",
      "debug.log": "x",
    });
    git(ws.dir, "add", "staged.txt");
    const status = gitOut(ws.dir, "status", "--porcelain");

    const snapshot = await snapshotWorkspace(project, ws, 7);
    assert.equal(snapshot.ref, "refs/gaffer/snapshots/7");
    assert.equal(snapshot.uncommitted, true);
    assert.equal(gitOut(project, "rev-parse", snapshot.ref), snapshot.commit);
    assert.equal(gitOut(project, "rev-parse", `${snapshot.ref}~1`), agentHead);
    assert.equal(gitOut(project, "show", `${snapshot.ref}:README.md`), "# edited");
    assert.equal(gitOut(project, "show", `${snapshot.ref}:untracked.txt`), "u");
    assert.equal(gitOut(project, "show", `${snapshot.ref}:staged.txt`), "s");
    assert.equal(
      gitOut(project, "ls-tree", "--name-only", snapshot.ref, "debug.log"),
      "",
      "ignored files stay out",
    );
    assert.equal(gitOut(ws.dir, "status", "--porcelain"), status);
    assert.equal(gitOut(ws.dir, "rev-parse", "HEAD"), agentHead);
  });

  it("snapshots nested repositories and a hostile .gitmodules without running or choking on them", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    const marker = join(ws.dir, "..", "GITMODULES-RAN");
    git(ws.dir, "init", "--quiet", "inner");
    writeFiles(join(ws.dir, "inner"), { "a.txt": "a\n" });
    commitAll(join(ws.dir, "inner"), "inner");
    writeFiles(ws.dir, {
      ".gitmodules": `[submodule "inner"]\n\tpath = inner\n\turl = ./inner\n\tupdate = !touch ${marker}\n`,
    });
    git(ws.dir, "add", "inner", ".gitmodules");
    git(ws.dir, "commit", "--quiet", "-m", "embed");
    git(ws.dir, "init", "--quiet", "unborn");
    writeFiles(ws.dir, { "unborn/b.txt": "b\n", "note.txt": "n\n" });

    const snapshot = await snapshotWorkspace(project, ws, 9);
    assert.equal(gitOut(project, "show", `${snapshot.ref}:note.txt`), "n");
    assert.equal(
      gitOut(project, "ls-tree", "--name-only", snapshot.ref, "unborn"),
      "",
      "no unborn repository",
    );
    assert.equal(existsSync(marker), false);
  });

  it("uses HEAD itself when nothing is uncommitted", async (t) => {
    const { project, ws, baseCommit } = await workspaceFixture(t);
    const snapshot = await snapshotWorkspace(project, ws, 8);
    assert.deepEqual(snapshot, {
      ref: "refs/gaffer/snapshots/8",
      commit: baseCommit,
      uncommitted: false,
      preserved: null,
    });
  });

  it("keeps an earlier snapshot the new one does not contain", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    writeFiles(ws.dir, { "first.txt": "work that will be thrown away" });
    const first = await snapshotWorkspace(project, ws, 9);
    git(ws.dir, "clean", "--quiet", "-f");
    writeFiles(ws.dir, { "second.txt": "2" });
    const second = await snapshotWorkspace(project, ws, 9);
    assert.match(second.preserved ?? "", /^refs\/gaffer\/snapshots\/9-\d+$/);
    assert.equal(gitOut(project, "rev-parse", second.preserved ?? ""), first.commit);
    assert.equal(gitOut(project, "rev-parse", "refs/gaffer/snapshots/9"), second.commit);
  });

  it("discards a workspace only after snapshotting it", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    writeFiles(ws.dir, { "work.txt": "precious\n" });
    const snapshot = await discardWorkspace(project, ws, 10);
    assert.equal(existsSync(ws.dir), false);
    assert.equal(existsSync(ws.pristineConfigPath), false);
    assert.equal(gitOut(project, "show", "refs/gaffer/snapshots/10:work.txt"), "precious");
    assert.equal(snapshot?.ref, "refs/gaffer/snapshots/10");
    assert.equal(await discardWorkspace(project, ws, 10), null, "discarding again is a no-op");
  });

  it("keeps a workspace it cannot snapshot", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    renameSync(join(ws.dir, ".git"), join(ws.dir, "real-git"));
    writeFileSync(join(ws.dir, ".git"), "gitdir: real-git\n");
    await assert.rejects(discardWorkspace(project, ws, 11), { code: "workspace-tampered" });
    assert.equal(existsSync(join(ws.dir, "real-git")), true);
  });

  it("publishes the run branch into the project without touching its worktree", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    writeFiles(ws.dir, { "feature.txt": "1" });
    const first = commitAll(ws.dir, "feature");
    const published = await publishBranch(project, ws, RUN_BRANCH);
    assert.deepEqual(published, { ref: `refs/heads/${RUN_BRANCH}`, head: first, preserved: null });
    assert.equal(gitOut(project, "rev-parse", RUN_BRANCH), first);
    assert.equal(gitOut(project, "symbolic-ref", "--short", "HEAD"), "main");
    assert.equal(gitOut(project, "status", "--porcelain"), "");

    writeFiles(ws.dir, { "feature.txt": "2" });
    const second = commitAll(ws.dir, "more");
    assert.equal(
      (await publishBranch(project, ws, RUN_BRANCH)).preserved,
      null,
      "a fast-forward keeps nothing",
    );
    assert.equal(gitOut(project, "rev-parse", RUN_BRANCH), second);
  });

  it("keeps the project branch's old tip when publishing over diverged commits", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    writeFiles(ws.dir, { "feature.txt": "1" });
    commitAll(ws.dir, "feature");
    await publishBranch(project, ws, RUN_BRANCH);
    git(project, "switch", "--quiet", RUN_BRANCH);
    writeFiles(project, { "user.txt": "the user's own commit" });
    const users = commitAll(project, "user edit");

    await assert.rejects(publishBranch(project, ws, RUN_BRANCH), {
      code: "git-failed",
      message: /checked out/,
    });
    git(project, "switch", "--quiet", "main");
    const published = await publishBranch(project, ws, RUN_BRANCH);
    assert.match(published.preserved ?? "", /^refs\/gaffer\/snapshots\/gaffer-1-add-subtract-\d+$/);
    assert.equal(gitOut(project, "rev-parse", published.preserved ?? ""), users);
    assert.equal(gitOut(project, "rev-parse", RUN_BRANCH), published.head);
  });
});
