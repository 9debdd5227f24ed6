import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createWorkspace, runBranchName } from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, gitRepo, TEST_IDENTITY, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { PROJECT_FILES, RUN_BRANCH, workspaceFixture } from "./fixture.ts";

describe("workspace/clone", () => {
  it("clones onto a new run branch at the base, with no remote", async (t) => {
    const { project, ws, baseCommit } = await workspaceFixture(t);
    assert.equal(baseCommit, gitOut(project, "rev-parse", "main"));
    assert.equal(gitOut(ws.dir, "symbolic-ref", "--short", "HEAD"), RUN_BRANCH);
    assert.equal(gitOut(ws.dir, "rev-parse", "HEAD"), baseCommit);
    assert.equal(gitOut(ws.dir, "remote"), "");
    assert.equal(
      gitOut(ws.dir, "for-each-ref", "--format=%(refname)"),
      `refs/heads/${RUN_BRANCH}\nrefs/heads/main`,
    );
    assert.equal(gitOut(ws.dir, "status", "--porcelain"), "");
    assert.equal(readFileSync(join(ws.dir, "src/math.js"), "utf8"), PROJECT_FILES["src/math.js"]);
    assert.equal(gitOut(ws.dir, "config", "user.email"), TEST_IDENTITY.email);
    assert.equal(gitOut(ws.dir, "config", "gc.auto"), "0");
    assert.ok(existsSync(join(ws.dir, ".git/objects/info/alternates")), "a --shared clone");
    assert.equal(
      readFileSync(ws.pristineConfigPath, "utf8"),
      readFileSync(join(ws.dir, ".git/config"), "utf8"),
    );
  });

  it("leaves the project's refs, config and worktree untouched", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const before = projectState(project);
    await createWorkspace({
      project,
      dir: join(tempDir(t), "w"),
      branch: RUN_BRANCH,
      baseBranch: "main",
      identity: TEST_IDENTITY,
    });
    assert.deepEqual(projectState(project), before);
  });

  it("creates six workspaces at once", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const root = tempDir(t);
    const created = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) =>
        createWorkspace({
          project,
          dir: join(root, String(n)),
          branch: runBranchName(n, "parallel"),
          baseBranch: "main",
          identity: TEST_IDENTITY,
        }),
      ),
    );
    for (const [index, { workspace }] of created.entries()) {
      assert.equal(gitOut(workspace.dir, "symbolic-ref", "--short", "HEAD"), `gaffer/${index + 1}-parallel`);
      assert.equal(gitOut(workspace.dir, "status", "--porcelain"), "");
    }
    assert.deepEqual(
      readdirSync(root).sort(),
      ["1", "2", "3", "4", "5", "6"].flatMap((n) => [
        n,
        `${n}.gitconfig`,
        `${n}.gitconfig.alternates`,
        `${n}.gitconfig.index`,
      ]),
    );
  });

  it("starts from a recorded base commit and keeps the pristine config where it is told", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const base = gitOut(project, "rev-parse", "main");
    writeFiles(project, { "later.txt": "x" });
    commitAll(project, "later");
    const root = tempDir(t);
    const pristineConfigPath = join(root, "state", "runs", "3", "workspace.gitconfig");
    const { workspace, baseCommit } = await createWorkspace({
      project,
      dir: join(root, "w"),
      branch: RUN_BRANCH,
      baseCommit: base,
      identity: TEST_IDENTITY,
      pristineConfigPath,
    });
    assert.equal(baseCommit, base);
    assert.equal(gitOut(workspace.dir, "rev-parse", "HEAD"), base);
    assert.equal(workspace.pristineConfigPath, pristineConfigPath);
    assert.equal(
      readFileSync(pristineConfigPath, "utf8"),
      readFileSync(join(workspace.dir, ".git/config"), "utf8"),
    );
    assert.equal(existsSync(join(root, "w.gitconfig")), false);
  });

  it("has the project's base branch where the project has it now, and starts from the run's base", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const base = gitOut(project, "rev-parse", "main");
    writeFiles(project, { "later.txt": "x" });
    commitAll(project, "later");
    const dir = join(tempDir(t), "w");
    await createWorkspace({
      project,
      dir,
      branch: RUN_BRANCH,
      baseBranch: "main",
      baseCommit: base,
      identity: TEST_IDENTITY,
    });
    assert.equal(gitOut(dir, "rev-parse", "HEAD"), base);
    assert.equal(gitOut(dir, "rev-parse", "main"), gitOut(project, "rev-parse", "main"));
    assert.equal(
      gitOut(dir, "log", "--format=%s", "-1", "main"),
      "later",
      "the project's objects are the clone's",
    );
  });

  it("still makes a run's workspace once the project's base branch is gone", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const base = gitOut(project, "rev-parse", "main");
    const dir = join(tempDir(t), "w");
    const made = {
      project,
      dir,
      branch: RUN_BRANCH,
      baseBranch: "renamed",
      baseCommit: base,
      identity: TEST_IDENTITY,
    };
    assert.equal((await createWorkspace(made)).baseCommit, base);
    assert.equal(gitOut(dir, "for-each-ref", "--format=%(refname)"), `refs/heads/${RUN_BRANCH}`);
  });

  it("continues a branch of the project as the run's own branch", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    git(project, "branch", RUN_BRANCH);
    const dir = join(tempDir(t), "w");
    await createWorkspace({
      project,
      dir,
      branch: RUN_BRANCH,
      baseBranch: RUN_BRANCH,
      identity: TEST_IDENTITY,
    });
    assert.equal(gitOut(dir, "symbolic-ref", "--short", "HEAD"), RUN_BRANCH);
    assert.equal(gitOut(dir, "rev-parse", "HEAD"), gitOut(project, "rev-parse", RUN_BRANCH));
  });

  it("records an identity git reads back exactly, whatever its characters", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const dir = join(tempDir(t), "w");
    const identity = { name: 'Ann "the bot" O\'Neil \\ #1; [x]', email: "ann+bot@example.com" };
    await createWorkspace({ project, dir, branch: RUN_BRANCH, baseBranch: "main", identity });
    assert.equal(gitOut(dir, "config", "user.name"), identity.name);
    assert.equal(gitOut(dir, "config", "user.email"), identity.email);
  });

  it("returns the recorded base when the workspace already exists", async (t) => {
    const { project, ws, baseCommit } = await workspaceFixture(t);
    writeFileSync(join(ws.dir, "work.txt"), "agent work\n");
    writeFiles(project, { "later.txt": "x" });
    commitAll(project, "later");
    const again = await createWorkspace({
      project,
      dir: ws.dir,
      branch: RUN_BRANCH,
      baseBranch: "main",
      identity: TEST_IDENTITY,
    });
    assert.deepEqual([again.baseCommit, again.reused], [baseCommit, true]);
    assert.equal(readFileSync(join(ws.dir, "work.txt"), "utf8"), "agent work\n");
  });

  it("removes half-built clones left by a crash", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const dir = join(tempDir(t), "w");
    mkdirSync(`${dir}.tmp-99999/.git`, { recursive: true });
    const created = await createWorkspace({
      project,
      dir,
      branch: RUN_BRANCH,
      baseBranch: "main",
      identity: TEST_IDENTITY,
    });
    assert.equal(created.reused, false);
    assert.equal(existsSync(`${dir}.tmp-99999`), false);
  });

  it("refuses a directory that is not a gaffer workspace and keeps it", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const dir = join(tempDir(t), "w");
    writeFiles(dir, { "mine.txt": "keep" });
    const create = createWorkspace({
      project,
      dir,
      branch: RUN_BRANCH,
      baseBranch: "main",
      identity: TEST_IDENTITY,
    });
    await assert.rejects(create, { code: "workspace-tampered", message: /not a gaffer workspace/ });
    assert.equal(readFileSync(join(dir, "mine.txt"), "utf8"), "keep");
  });

  it("fails cleanly on a missing base branch", async (t) => {
    const project = gitRepo(t, PROJECT_FILES);
    const dir = join(tempDir(t), "w");
    const create = createWorkspace({
      project,
      dir,
      branch: RUN_BRANCH,
      baseBranch: "nope",
      identity: TEST_IDENTITY,
    });
    await assert.rejects(create, { code: "git-failed" });
    assert.deepEqual(readdirSync(join(dir, "..")), []);
    const noBase = createWorkspace({ project, dir, branch: RUN_BRANCH, identity: TEST_IDENTITY });
    await assert.rejects(noBase, { code: "usage" });
  });
});

function projectState(project: string) {
  return {
    refs: gitOut(project, "for-each-ref"),
    head: gitOut(project, "symbolic-ref", "HEAD"),
    config: readFileSync(join(project, ".git/config"), "utf8"),
    status: gitOut(project, "status", "--porcelain", "--ignored"),
  };
}
