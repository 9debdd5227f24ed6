import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { processStartTime } from "../util/index.ts";
import { type CreatedWorkspace, createWorkspace } from "./clone.ts";
import { workspaceGit } from "./git.ts";
import { pristineAlternatesPath, workspaceAt } from "./integrity.ts";
import { ownerAlive, tryLockFile } from "./lock.ts";
import type { Identity, TamperEvidence, Workspace } from "./types.ts";

/**
 * The warm pool: clones made exactly as a run's (createWorkspace), kept ready at a base commit so
 * that a run takes one with two renames and a branch rename instead of a clone and a checkout.
 *
 * Each clone lives in its own directory of the pool, `<entry>/clone` with its pristine config,
 * gaffer's index and the alternates' copy beside it (`<entry>/clone.gitconfig*`). The entry's
 * name says what it is, and only a rename changes it:
 * - `ready-<key>-<random>`: complete, never handed out; `key` names the base commit, the identity
 *   and the project it was made for, so a clone made for anything else is never taken;
 * - `building-<owner>-<random>`: being made by a live process, or left half-made by a dead one;
 * - `claimed-<owner>-<random>`: taken by one run (a rename only one taker can win), being checked
 *   and moved to the run's workspace path; a dead owner's is removed, never reused;
 * - `discarded-<random>`: stale or surplus, being removed.
 */

/** The branch a warm clone has checked out until a run renames it to the run's branch. */
export const WARM_BRANCH = "gaffer-warm";
const FILL_LOCK = "fill.lock";

export interface WarmPoolOptions {
  /** The project's root. */
  project: string;
  /** The pool's directory, in gaffer's state (never inside a sandbox's writable paths). */
  pool: string;
  /** The commit the clones are checked out at. */
  baseCommit: string;
  identity: Identity;
}

export interface ClaimWarmOptions extends WarmPoolOptions {
  /** The run's workspace path; the claimed clone is moved there. */
  dir: string;
  /** The run's branch: the warm branch is renamed to it. */
  branch: string;
  onTamper?: (evidence: TamperEvidence) => void;
  /** Told of each taken clone that failed the check and was deleted instead of used. */
  onDiscard?: (clone: string, reason: string) => void;
}

/**
 * Takes a ready clone at `baseCommit` for a run and moves it to `dir`, on the run's branch. Each
 * clone goes to one taker only (an atomic rename), is checked before use (its git metadata as any
 * workspace's, HEAD on the warm branch at the base, nothing changed in its work tree), and appears
 * at `dir` only when complete. Undefined when no ready clone fits; a clone that fails a check is
 * removed.
 */
export async function claimWarmClone(opts: ClaimWarmOptions): Promise<CreatedWorkspace | undefined> {
  // A resumed run keeps the workspace it has.
  if (
    await lstat(opts.dir).then(
      () => true,
      () => false,
    )
  )
    return undefined;
  const key = poolKey(opts);
  for (const name of await readyEntries(opts.pool, key)) {
    const claimed = join(opts.pool, `claimed-${ownerPart()}-${random()}`);
    const won = await rename(join(opts.pool, name), claimed).then(
      () => true,
      () => false,
    );
    if (!won) continue;
    try {
      const workspace = await takeOver(claimed, opts);
      return { workspace, baseCommit: opts.baseCommit, reused: false };
    } catch (error) {
      // Not what gaffer left: never used, and the next ready clone is tried.
      await rm(claimed, { recursive: true, force: true });
      opts.onDiscard?.(claimed, error instanceof Error ? error.message : String(error));
    }
  }
  return undefined;
}

async function takeOver(entry: string, opts: ClaimWarmOptions): Promise<Workspace> {
  const warm = workspaceAt(join(entry, "clone"));
  const { head, changed } = await stateOf(warm);
  if (head !== `${opts.baseCommit} ${WARM_BRANCH}`) {
    throw new Error(`${warm.dir} is not on ${WARM_BRANCH} at ${opts.baseCommit}`);
  }
  if (changed) throw new Error(`${warm.dir} has changes`);
  await workspaceGit(warm, ["branch", "--move", WARM_BRANCH, opts.branch]);
  const target = workspaceAt(resolve(opts.dir), { onTamper: opts.onTamper });
  await mkdir(join(target.dir, ".."), { recursive: true });
  // gaffer's files first, the clone last: the run's path only ever holds a complete workspace.
  await rename(warm.pristineConfigPath, target.pristineConfigPath);
  await rename(warm.indexPath, target.indexPath);
  await rename(pristineAlternatesPath(warm), pristineAlternatesPath(target));
  await rename(warm.dir, target.dir);
  await rmdir(entry);
  return target;
}

export interface FillWarmOptions extends WarmPoolOptions {
  /** How many ready clones the pool should hold. */
  size: number;
  /** The project's branch at `baseCommit`, which each clone has too (as a clone of the project would). */
  baseBranch?: string;
}

export interface FilledPool {
  /** Ready clones at the base commit once done. */
  ready: number;
  made: number;
  /** Clones removed: made for another base (stale), surplus, or left half-made or half-claimed. */
  discarded: number;
  /** True when another live process was filling the pool: this call did nothing. */
  busy: boolean;
}

/**
 * Brings the pool to `size` ready clones at `baseCommit`: removes clones made for anything else
 * (a base that moved), surplus ones and a dead process's leftovers, then makes the missing ones.
 * One process fills at a time; a call while another fills returns at once (`busy`), and the filler
 * counts again after it lets go, so a clone taken meanwhile is made up for.
 */
export async function fillWarmPool(opts: FillWarmOptions): Promise<FilledPool> {
  const total: FilledPool = { ready: 0, made: 0, discarded: 0, busy: false };
  await mkdir(opts.pool, { recursive: true });
  for (;;) {
    const release = await tryLockFile(join(opts.pool, FILL_LOCK));
    if (!release) {
      total.busy = total.made === 0 && total.discarded === 0;
      total.ready = (await readyEntries(opts.pool, poolKey(opts))).length;
      return total;
    }
    try {
      total.discarded += await sweep(opts);
      const ready = (await readyEntries(opts.pool, poolKey(opts))).length;
      total.made += await makeWarmClones(opts, Math.max(0, opts.size - ready));
    } finally {
      await release();
    }
    total.ready = (await readyEntries(opts.pool, poolKey(opts))).length;
    if (total.ready >= opts.size) return total;
  }
}

/** The ready clones of the pool at `opts.pool` that fit `opts` (base, identity, project). */
export async function readyWarmClones(opts: WarmPoolOptions): Promise<number> {
  return (await readyEntries(opts.pool, poolKey(opts))).length;
}

/**
 * The clone's HEAD (`<commit> <branch>`) and whether gaffer's own index (its stat cache) shows
 * anything changed in the work tree, untracked files included: nothing, for a clone left exactly
 * as it was made. One git process tells both.
 */
async function stateOf(ws: Workspace): Promise<{ head: string; changed: boolean }> {
  const output = await workspaceGit(
    ws,
    [
      "status",
      "--porcelain=v2",
      "--branch",
      "--untracked-files=all",
      "--no-renames",
      "--ignore-submodules=all",
    ],
    { env: { GIT_INDEX_FILE: ws.indexPath } },
  );
  const lines = output.split("\n").filter((line) => line !== "");
  const header = (name: string) =>
    lines.find((line) => line.startsWith(`# branch.${name} `))?.slice(`# branch.${name} `.length);
  return {
    head: `${header("oid")} ${header("head")}`,
    changed: lines.some((line) => !line.startsWith("# ")),
  };
}

/**
 * Makes `count` ready clones. They are built one at a time (a checkout uses the machine); each
 * clone's wait for the next second and its check overlap the next one's build. Resolves once all
 * have settled, so nothing is still being made when the fill lock is released.
 */
async function makeWarmClones(opts: FillWarmOptions, count: number): Promise<number> {
  // Each settles to its error (or undefined) at once: one that fails while the next is built is
  // never an unhandled rejection.
  const finishing: Promise<unknown>[] = [];
  let failure: unknown;
  for (let i = 0; i < count && failure === undefined; i++) {
    try {
      const built = await buildWarmClone(opts);
      finishing.push(
        finishWarmClone(opts, built).then(
          () => undefined,
          (error: unknown) => error ?? "failed",
        ),
      );
    } catch (error) {
      failure = error;
    }
  }
  const errors = (await Promise.all(finishing)).filter((error) => error !== undefined);
  failure ??= errors[0];
  if (failure !== undefined) throw failure;
  return finishing.length;
}

interface BuiltClone {
  building: string;
  workspace: Workspace;
}

async function buildWarmClone(opts: FillWarmOptions): Promise<BuiltClone> {
  const building = join(opts.pool, `building-${ownerPart()}-${random()}`);
  try {
    await mkdir(building);
    const { workspace } = await createWorkspace({
      project: opts.project,
      dir: join(building, "clone"),
      branch: WARM_BRANCH,
      baseCommit: opts.baseCommit,
      ...(opts.baseBranch !== undefined && { baseBranch: opts.baseBranch }),
      identity: opts.identity,
    });
    return { building, workspace };
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

async function finishWarmClone(opts: FillWarmOptions, { building, workspace }: BuiltClone): Promise<void> {
  try {
    // git trusts an entry's stat only when the index was written in a later second than the file
    // (racy git): refreshed any sooner, the check at claim time would read every file's content.
    await pastTheSecondOf(workspace.indexPath);
    if ((await stateOf(workspace)).changed) throw new Error(`${workspace.dir} changed as it was made`);
    await rename(building, join(opts.pool, `ready-${poolKey(opts)}-${random()}`));
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

/** Resolves once the clock is in a later second than `path`'s last change. */
async function pastTheSecondOf(path: string): Promise<void> {
  const changed = (await lstat(path)).mtimeMs;
  const wait = (Math.floor(changed / 1000) + 1) * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Removes what no run may take: other keys' and surplus clones, dead processes' leftovers. */
async function sweep(opts: FillWarmOptions): Promise<number> {
  const key = poolKey(opts);
  let kept = 0;
  let discarded = 0;
  for (const name of await entries(opts.pool)) {
    const owner = /^(?:building|claimed)-(\d+)\.([^-]+)-/.exec(name);
    const fits = name.startsWith(`ready-${key}-`) && kept++ < opts.size;
    const leftover = owner !== null && !ownerAlive(`${owner[1]} ${owner[2]}`);
    const stale = name.startsWith("ready-") && !fits;
    if (!stale && !leftover && !name.startsWith("discarded-")) continue;
    // Renamed first, so that a taker never gets a clone half removed.
    const doomed = join(opts.pool, name.startsWith("discarded-") ? name : `discarded-${random()}`);
    if (doomed !== join(opts.pool, name)) {
      const moved = await rename(join(opts.pool, name), doomed).then(
        () => true,
        () => false,
      );
      if (!moved) continue;
    }
    await rm(doomed, { recursive: true, force: true });
    discarded++;
  }
  return discarded;
}

async function readyEntries(pool: string, key: string): Promise<string[]> {
  return (await entries(pool)).filter((name) => name.startsWith(`ready-${key}-`));
}

async function entries(pool: string): Promise<string[]> {
  return (await readdir(pool).catch(() => [] as string[])).sort();
}

/** What a clone was made for: the project, the base commit and the identity in its config. */
function poolKey(opts: WarmPoolOptions): string {
  const what = [resolve(opts.project), opts.baseCommit, opts.identity.name, opts.identity.email];
  return createHash("sha256").update(JSON.stringify(what)).digest("hex").slice(0, 24);
}

/** This process as an entry name carries it: `<pid>.<start time>`, told from a reused pid. */
function ownerPart(): string {
  return `${process.pid}.${processStartTime(process.pid) ?? "?"}`;
}

function random(): string {
  return randomBytes(6).toString("hex");
}
