import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  claimWarmClone,
  fillWarmPool,
  readyWarmClones,
  verifyWorkspace,
  WARM_BRANCH,
  workspaceGit,
} from "../../src/workspace/index.ts";
import { processStartTime } from "../../src/util/index.ts";
import { commitAll, gitOut, gitRepo, TEST_IDENTITY, writeFiles } from "../helpers/git.ts";
import { PROJECT_FILES, RUN_BRANCH } from "./fixture.ts";

interface Pool {
  project: string;
  pool: string;
  baseCommit: string;
  identity: typeof TEST_IDENTITY;
}

function poolFixture(t: TestContext): Pool {
  const project = gitRepo(t, PROJECT_FILES);
  return {
    project,
    pool: join(project, ".gaffer", "warm"),
    baseCommit: gitOut(project, "rev-parse", "HEAD"),
    identity: TEST_IDENTITY,
  };
}

const runDir = (pool: Pool, id: number) => join(pool.project, ".gaffer", "workspaces", `run-${id}`);

function poolEntries(pool: Pool): string[] {
  return readdirSync(pool.pool).filter((name) => name !== "fill.lock");
}

/** A pid no process has any more, for leftovers of a process that died. */
function deadPid(): number {
  const pid = spawnSync("true").pid;
  assert.ok(pid);
  return pid;
}

describe("warm pool", () => {
  it("fills to its size with clones on the warm branch at the base; a claim moves one to the run's path on the run's branch", async (t) => {
    const pool = poolFixture(t);
    const filled = await fillWarmPool({ ...pool, size: 2 });
    assert.deepEqual(filled, { ready: 2, made: 2, discarded: 0, busy: false });
    const again = await fillWarmPool({ ...pool, size: 2 });
    assert.deepEqual(again, { ready: 2, made: 0, discarded: 0, busy: false });

    const dir = runDir(pool, 1);
    const claimed = await claimWarmClone({ ...pool, dir, branch: RUN_BRANCH });
    assert.ok(claimed, "a ready clone is taken");
    assert.equal(claimed.workspace.dir, dir);
    assert.equal(claimed.baseCommit, pool.baseCommit);
    assert.equal(claimed.reused, false);
    await verifyWorkspace(claimed.workspace);
    const ws = claimed.workspace;
    assert.equal(await workspaceGit(ws, ["symbolic-ref", "HEAD"]), `refs/heads/${RUN_BRANCH}`);
    assert.equal(await workspaceGit(ws, ["rev-parse", "HEAD"]), pool.baseCommit);
    assert.equal(await workspaceGit(ws, ["branch", "--list", WARM_BRANCH]), "");
    assert.equal(await workspaceGit(ws, ["status", "--porcelain", "--untracked-files=all"]), "");
    assert.equal(await workspaceGit(ws, ["config", "gaffer.baseCommit"]), pool.baseCommit);
    assert.ok(existsSync(ws.indexPath), "gaffer's own index came along");
    assert.equal(await readyWarmClones(pool), 1);
    assert.equal(poolEntries(pool).length, 1, "nothing of the claimed clone is left in the pool");
  });

  it("hands each clone to one claim only, however many claim at once", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 3 });
    const claims = await Promise.all(
      [1, 2, 3, 4, 5].map((id) => claimWarmClone({ ...pool, dir: runDir(pool, id), branch: `run-${id}` })),
    );
    const won = claims.filter((claim) => claim !== undefined);
    assert.equal(won.length, 3, "three clones, three winners");
    const gitDirs = new Set(won.map((claim) => statSync(join(claim.workspace.dir, ".git")).ino));
    assert.equal(gitDirs.size, 3, "no two runs share a clone");
    assert.equal(await readyWarmClones(pool), 0);
  });

  it("never hands out a clone made for another base: the run gets none, and a fill replaces them", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 2 });
    writeFiles(pool.project, { "src/math.js": "export const add = (a, b) => b + a;\n" });
    const moved = commitAll(pool.project, "the base moves");
    const claim = await claimWarmClone({ ...pool, baseCommit: moved, dir: runDir(pool, 1), branch: "b" });
    assert.equal(claim, undefined);
    assert.ok(!existsSync(runDir(pool, 1)));

    const refilled = await fillWarmPool({ ...pool, baseCommit: moved, size: 2 });
    assert.deepEqual(refilled, { ready: 2, made: 2, discarded: 2, busy: false });
    assert.equal(poolEntries(pool).length, 2);
    const fresh = await claimWarmClone({ ...pool, baseCommit: moved, dir: runDir(pool, 1), branch: "b" });
    assert.ok(fresh);
    assert.equal(await workspaceGit(fresh.workspace, ["rev-parse", "HEAD"]), moved);
    assert.equal(
      await workspaceGit(fresh.workspace, ["show", "HEAD:src/math.js"]),
      "export const add = (a, b) => b + a;",
    );
  });

  it("discards a ready clone that was changed on disk instead of handing it out", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 2 });
    const [first, second] = poolEntries(pool);
    assert.ok(first && second);
    writeFileSync(join(pool.pool, first, "clone", "src", "math.js"), "planted\n");
    writeFileSync(join(pool.pool, second, "clone", "planted.js"), "planted\n");
    const discarded: string[] = [];
    const claim = await claimWarmClone({
      ...pool,
      dir: runDir(pool, 1),
      branch: "b",
      onDiscard: (clone, reason) => discarded.push(`${basename(clone).split("-")[0]}: ${reason}`),
    });
    assert.equal(claim, undefined, "neither changed clone is used");
    assert.equal(discarded.length, 2);
    for (const line of discarded) assert.match(line, /^claimed: .*\/clone has changes$/);
    assert.deepEqual(poolEntries(pool), [], "both are gone");
    assert.ok(!existsSync(runDir(pool, 1)));
  });

  it("leaves each ready clone's stat cache trusted: its index is newer, by the second, than every file", async (t) => {
    // git re-reads a file whose change is not older than the index by a whole second (racy git):
    // a claim would then read the whole work tree instead of its stats.
    // Three: each clone's wait overlaps the next one's build, and every one must still wait.
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 3 });
    const entries = poolEntries(pool);
    assert.equal(entries.length, 3);
    const second = (path: string) => Math.floor(statSync(path).mtimeMs / 1000);
    for (const entry of entries) {
      const index = join(pool.pool, entry, "clone.gitconfig.index");
      const indexSecond = second(index);
      const clone = join(pool.pool, entry, "clone");
      const files = gitOut(clone, "ls-files").split("\n");
      assert.ok(files.length >= Object.keys(PROJECT_FILES).length);
      for (const file of files)
        assert.ok(second(join(clone, file)) < indexSecond, `${entry}: ${file} is racily clean`);
      // Refreshed as it was made: a check finds nothing to refresh, so it only compares stats.
      const before = readFileSync(index);
      const status = spawnSync("git", ["-C", clone, "status", "--porcelain", "--untracked-files=all"], {
        env: { ...process.env, GIT_INDEX_FILE: index },
      });
      assert.equal(status.status, 0);
      assert.ok(readFileSync(index).equals(before), `${entry}: its index needed refreshing`);
    }
  });

  it("discards a ready clone whose HEAD is not the warm branch at the base", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 2 });
    const [first, second] = poolEntries(pool);
    assert.ok(first && second);
    const git = (entry: string, ...args: string[]) =>
      spawnSync("git", ["-C", join(pool.pool, entry, "clone"), ...args], { stdio: "ignore" });
    git(first, "switch", "-q", "-c", "elsewhere");
    git(second, "switch", "-q", "--detach");
    const discarded: string[] = [];
    const claim = await claimWarmClone({
      ...pool,
      dir: runDir(pool, 1),
      branch: "b",
      onDiscard: (_clone, reason) => discarded.push(reason),
    });
    assert.equal(claim, undefined);
    assert.equal(discarded.length, 2);
    for (const reason of discarded)
      assert.match(reason, new RegExp(`is not on ${WARM_BRANCH} at ${pool.baseCommit}$`));
  });

  it("leaves a resumed run's workspace alone", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 1 });
    mkdirSync(runDir(pool, 1), { recursive: true });
    assert.equal(await claimWarmClone({ ...pool, dir: runDir(pool, 1), branch: "b" }), undefined);
    assert.equal(await readyWarmClones(pool), 1);
  });

  it("after a crash mid-claim or mid-build, nothing half-made is used, and the next fill removes it", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 2 });
    const [first, second] = poolEntries(pool);
    assert.ok(first && second);
    // A claimer that died after winning a clone, and a filler that died while making one.
    renameSync(join(pool.pool, first), join(pool.pool, `claimed-${deadPid()}.1-aaaaaa`));
    renameSync(join(pool.pool, second), join(pool.pool, `building-${deadPid()}.1-bbbbbb`));
    assert.equal(await claimWarmClone({ ...pool, dir: runDir(pool, 1), branch: "b" }), undefined);
    assert.ok(!existsSync(runDir(pool, 1)));

    const refilled = await fillWarmPool({ ...pool, size: 2 });
    assert.deepEqual(refilled, { ready: 2, made: 2, discarded: 2, busy: false });
    assert.ok(poolEntries(pool).every((name) => name.startsWith("ready-")));
  });

  it("keeps a live claimer's clone, lets one process fill at a time, and shrinks to a smaller size", async (t) => {
    const pool = poolFixture(t);
    await fillWarmPool({ ...pool, size: 3 });
    const [first] = poolEntries(pool);
    assert.ok(first);
    const live = `claimed-${process.pid}.${processStartTime(process.pid)}-cccccc`;
    renameSync(join(pool.pool, first), join(pool.pool, live));

    const [one, two] = await Promise.all([
      fillWarmPool({ ...pool, size: 1 }),
      fillWarmPool({ ...pool, size: 1 }),
    ]);
    assert.equal([one, two].filter((filled) => filled.busy).length, 1, "the second found the first filling");
    assert.equal(await readyWarmClones(pool), 1);
    assert.ok(poolEntries(pool).includes(live), "a live claimer's clone is not swept");
  });
});
