import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { describe, it } from "node:test";
import {
  checkoutChanges,
  checkoutCommit,
  describeProposal,
  type EvidenceRepo,
  openEvidenceRepo,
  publishCommit,
  readText,
  recordWork,
  type WorkRecord,
} from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RUN_BRANCH, type WorkspaceFixture, workspaceFixture } from "./fixture.ts";

const GAFFER = { name: "gaffer", email: "gaffer@example.com" };

async function record(
  fx: WorkspaceFixture,
  exclude: string[] = [],
): Promise<WorkRecord & { repo: EvidenceRepo }> {
  const repo = await openEvidenceRepo(fx.project, `${fx.ws.dir}.evidence.git`, exclude);
  const work = await recordWork(repo, fx.ws, {
    branch: RUN_BRANCH,
    baseCommit: fx.baseCommit,
    message: "gaffer: work",
    identity: GAFFER,
  });
  return { ...work, repo };
}

function files(repo: EvidenceRepo, commit: string): string[] {
  return execFileSync("git", [`--git-dir=${repo.gitDir}`, "ls-tree", "-r", "--name-only", commit], {
    encoding: "utf8",
  })
    .trim()
    .split("\n");
}

function show(repo: EvidenceRepo, object: string): string {
  return execFileSync("git", [`--git-dir=${repo.gitDir}`, "cat-file", "-p", object], { encoding: "utf8" });
}

describe("workspace/evidence", () => {
  it("starts from gaffer's index of the workspace (its stat cache) and still records every change", async (t) => {
    const fx = await workspaceFixture(t);
    const gitDir = `${fx.ws.dir}.evidence.git`;
    const repo = await openEvidenceRepo(fx.project, gitDir, [], { seedIndex: fx.ws.indexPath });
    assert.deepEqual(readFileSync(join(gitDir, "worktree.index")), readFileSync(fx.ws.indexPath));
    // Same size, written after the seed: the stat cache must not hide it.
    writeFileSync(join(fx.ws.dir, "src/math.js"), "export const add = (a, b) => a - b;\n");
    writeFiles(fx.ws.dir, { "NEW.md": "new\n" });
    const work = await recordWork(repo, fx.ws, {
      branch: RUN_BRANCH,
      baseCommit: fx.baseCommit,
      message: "gaffer: work",
      identity: GAFFER,
    });
    assert.equal(show(repo, `${work.commit}:src/math.js`), "export const add = (a, b) => a - b;\n");
    assert.ok(files(repo, work.commit).includes("NEW.md"));
  });

  it("records edits, new files and deletions, never ignored files, without touching the workspace", async (t) => {
    const fx = await workspaceFixture(t);
    writeFiles(fx.ws.dir, {
      "src/math.js": "edited\n",
      "src/new file.js": "new\n",
      "a[1].txt": "x",
      "debug.log": "no",
      ".env": "SECRET=1\n",
    });
    writeFiles(fx.ws.dir, { "a1.txt": "x" });
    writeFileSync(join(fx.ws.dir, ".gitignore"), ".gaffer/\n*.log\na1.txt\n");
    rmSync(join(fx.ws.dir, "README.md"));
    const before = gitOut(fx.ws.dir, "status", "--porcelain");
    const work = await record(fx, [".env"]);
    assert.equal(work.tip, fx.baseCommit);
    assert.notEqual(work.commit, fx.baseCommit);
    assert.deepEqual(files(work.repo, work.commit), [
      ".gitignore",
      "a[1].txt",
      "src/math.js",
      "src/new file.js",
    ]);
    assert.match(show(work.repo, work.commit), /author gaffer <gaffer@example\.com>[^]*\n\ngaffer: work\n$/);
    assert.equal(gitOut(fx.ws.dir, "status", "--porcelain"), before, "the workspace is untouched");
    assert.equal(gitOut(fx.ws.dir, "rev-parse", "HEAD"), fx.baseCommit);
  });

  it("keeps the agent's own commits and records what it left staged", async (t) => {
    const fx = await workspaceFixture(t);
    writeFiles(fx.ws.dir, { "one.txt": "1" });
    const agentCommit = commitAll(fx.ws.dir, "agent: one");
    writeFiles(fx.ws.dir, { "two.txt": "2" });
    git(fx.ws.dir, "add", "two.txt");
    const work = await record(fx);
    assert.equal(work.tip, agentCommit);
    assert.equal(await readText(work.repo, ["rev-parse", `${work.commit}~1`]), agentCommit);
    assert.equal(await readText(work.repo, ["rev-parse", `${work.commit}~2`]), fx.baseCommit);
  });

  it("records nothing new when nothing changed", async (t) => {
    const fx = await workspaceFixture(t);
    writeFiles(fx.ws.dir, { "debug.log": "ignored" });
    const work = await record(fx);
    assert.deepEqual([work.tip, work.commit], [fx.baseCommit, fx.baseCommit]);
  });

  for (const flag of ["--assume-unchanged", "--skip-worktree"]) {
    it(`records a change the agent hid from its own index with ${flag}`, async (t) => {
      const fx = await workspaceFixture(t);
      git(fx.ws.dir, "update-index", flag, "src/math.js");
      writeFiles(fx.ws.dir, { "src/math.js": "export const add = () => 0;\n" });
      assert.equal(gitOut(fx.ws.dir, "status", "--porcelain"), "", "the agent's git sees nothing");
      const work = await record(fx);
      assert.equal(show(work.repo, `${work.commit}:src/math.js`), "export const add = () => 0;\n");
    });
  }

  it("skips FIFOs in the worktree instead of blocking on them", async (t) => {
    const fx = await workspaceFixture(t);
    execFileSync("mkfifo", [join(fx.ws.dir, "pipe")]);
    rmSync(join(fx.ws.dir, "README.md"));
    execFileSync("mkfifo", [join(fx.ws.dir, "README.md")]);
    const work = await record(fx);
    assert.deepEqual(files(work.repo, work.commit), [".gitignore", "src/math.js"]);
  });

  it("reads a base blob from the project, never the workspace's forged copy of it", async (t) => {
    const fx = await workspaceFixture(t);
    const blob = gitOut(fx.project, "rev-parse", "main:src/math.js");
    // A loose object named after the base blob whose content is something else.
    const objectDir = join(fx.ws.dir, ".git", "objects", blob.slice(0, 2));
    mkdirSync(objectDir, { recursive: true });
    const forged = "export const add = () => 'forged';\n";
    writeFileSync(join(objectDir, blob.slice(2)), deflateSync(`blob ${forged.length}\0${forged}`));
    writeFiles(fx.ws.dir, { "src/other.js": "x\n" });
    commitAll(fx.ws.dir, "agent work");
    const work = await record(fx);
    assert.equal(show(work.repo, `${work.commit}:src/math.js`), "export const add = (a, b) => a + b;\n");
  });

  it("checks out exactly the recorded tree, again after a gate left files behind and edited others", async (t) => {
    const fx = await workspaceFixture(t);
    writeFiles(fx.ws.dir, { "src/new.js": "new\n", "debug.log": "ignored, so never checked out\n" });
    const work = await record(fx);
    const dir = join(tempDir(t, "gaffer-gate-"), "gate");
    await checkoutCommit(work.repo, work.commit, dir);
    assert.deepEqual(await checkoutChanges(work.repo, await checkoutCommit(work.repo, work.commit, dir)), {
      untracked: [],
      changed: [],
    });
    assert.equal(existsSync(join(dir, "debug.log")), false);
    // What a gate may leave: byproducts, ignored files, a tracked file changed with its timestamp kept.
    const math = join(dir, "src", "math.js");
    const { mtime } = statSync(math);
    const same = "export const add = () => 1;".padEnd(readFileSync(math, "utf8").length - 1, " ");
    writeFileSync(math, `${same}\n`);
    utimesSync(math, mtime, mtime);
    writeFiles(dir, { "__pycache__/x.pyc": "x", "build.log": "x" });
    const changes = await checkoutChanges(work.repo, { dir, indexPath: `${dir}.index`, commit: work.commit });
    assert.deepEqual(changes, { untracked: ["__pycache__/x.pyc"], changed: ["src/math.js"] });
    await checkoutCommit(work.repo, work.commit, dir);
    assert.equal(readFileSync(math, "utf8"), "export const add = (a, b) => a + b;\n");
    assert.deepEqual(readdirSync(dir).sort(), [".git", ".gitignore", "README.md", "src"]);
    assert.equal(gitOut(dir, "rev-parse", "HEAD"), work.commit);
    assert.equal(gitOut(dir, "status", "--porcelain"), "");
  });

  it("stops fetching the workspace when the run is aborted", async (t) => {
    const fx = await workspaceFixture(t);
    const repo = await openEvidenceRepo(fx.project, `${fx.ws.dir}.evidence.git`);
    const options = { branch: RUN_BRANCH, baseCommit: fx.baseCommit, message: "m", identity: GAFFER };
    await assert.rejects(recordWork(repo, fx.ws, { ...options, signal: AbortSignal.abort() }), {
      code: "cancelled",
    });
  });

  it("describes and publishes exactly the recorded commit", async (t) => {
    const fx = await workspaceFixture(t);
    writeFiles(fx.ws.dir, { "one.txt": "1\n" });
    const first = commitAll(fx.ws.dir, "Add one");
    writeFiles(fx.ws.dir, { "src/math.js": "export const sub = (a, b) => a - b;\n" });
    const work = await record(fx);
    const proposal = await describeProposal(work.repo, fx.baseCommit, work.commit);
    assert.equal(proposal.head, work.commit);
    assert.deepEqual(proposal.commits, [
      { sha: first, subject: "Add one", author: "Test User <test@example.com>" },
      { sha: work.commit, subject: "gaffer: work", author: "gaffer <gaffer@example.com>" },
    ]);
    assert.match(proposal.diffStat, /one\.txt +\| 1 \+/);
    assert.match(proposal.diffStat, /2 files changed, 2 insertions\(\+\), 1 deletion\(-\)/);
    await publishCommit(fx.project, work.repo, work.commit, RUN_BRANCH);
    assert.equal(gitOut(fx.project, "rev-parse", RUN_BRANCH), work.commit);
  });
});
