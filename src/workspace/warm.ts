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

export interface TakeWarmOptions extends Omit<WarmPoolOptions, "baseCommit"> {
  /** The base commit, or its lookup still under way: a clone is taken and checked meanwhile. */
  baseCommit: string | Promise<string>;
  /** The run's branch: the warm branch is renamed to it. */
  branch: string;
  /** Told of each taken clone that failed the check and was deleted instead of used. */
  onDiscard?: (clone: string, reason: string) => void;
}

export interface ClaimWarmOptions extends TakeWarmOptions {
  baseCommit: string;
  /** The run's workspace path; the claimed clone is moved there. */
  dir: string;
  onTamper?: (evidence: TamperEvidence) => void;
}

/** A ready clone one taker won and checked, on its run's branch, not yet at the run's path. */
export interface TakenWarmClone {
  /** Its `claimed-…` entry in the pool, which no other taker can win. */
  entry: string;
  baseCommit: string;
  branch: string;
}

/**
 * Takes a ready clone at `baseCommit` for a run and moves it to `dir`, on the run's branch (see
 * takeWarmClone). Undefined when no ready clone fits or the run already has its workspace.
 */
export async function claimWarmClone(opts: ClaimWarmOptions): Promise<CreatedWorkspace | undefined> {
  // A resumed run keeps the workspace it has.
  if (await exists(opts.dir)) return undefined;
  for (;;) {
    const taken = await takeWarmClone(opts);
    if (!taken) return undefined;
    const problem = await treeProblem(workspaceAt(join(taken.entry, "clone")));
    if (problem === undefined) {
      const workspace = await placeWarmClone(taken, opts);
      return workspace && { workspace, baseCommit: opts.baseCommit, reused: false };
    }
    await discard(taken.entry, problem, opts);
  }
}

/**
 * Takes a ready clone at `baseCommit` for a run, on the run's branch: each clone goes to one taker
 * only (an atomic rename), and its git metadata is checked as any workspace's and its HEAD must be
 * the warm branch at the base. Its work tree is checked separately (checkWarmTree), so that a run
 * can check it alongside its confinement. It needs no run yet, so a run can take its clone while
 * it is being created; while the base is still being looked up, the first ready clone is taken
 * meanwhile, and kept only if it was made for that base. Undefined when no ready clone fits; a
 * clone that fails a check is removed and the next one tried.
 */
export async function takeWarmClone(opts: TakeWarmOptions): Promise<TakenWarmClone | undefined> {
  const base = Promise.resolve(opts.baseCommit);
  let key =
    typeof opts.baseCommit === "string" ? poolKey({ ...opts, baseCommit: opts.baseCommit }) : undefined;
  for (const name of (await entries(opts.pool)).filter((entry) => entry.startsWith("ready-"))) {
    if (key !== undefined && !name.startsWith(`ready-${key}-`)) continue;
    const entry = join(opts.pool, `claimed-${ownerPart()}-${random()}`);
    const won = await rename(join(opts.pool, name), entry).then(
      () => true,
      () => false,
    );
    if (!won) continue;
    try {
      const warm = workspaceAt(join(entry, "clone"));
      const [baseCommit, head] = await Promise.all([base, headOf(warm)]);
      key = poolKey({ ...opts, baseCommit });
      if (!name.startsWith(`ready-${key}-`))
        throw new Error(`${warm.dir} was made for another base or identity`);
      if (head !== `${baseCommit} refs/heads/${WARM_BRANCH}`) {
        throw new Error(`${warm.dir} is not on ${WARM_BRANCH} at ${baseCommit}`);
      }
      await workspaceGit(warm, ["branch", "--move", WARM_BRANCH, opts.branch]);
      return { entry, baseCommit, branch: opts.branch };
    } catch (error) {
      // Not what gaffer left, or left for another base: never used, and the next ready clone is tried.
      await discard(entry, error, opts);
      key ??= await base.then(
        (baseCommit) => poolKey({ ...opts, baseCommit }),
        () => undefined,
      );
      if (key === undefined) return undefined;
    }
  }
  return undefined;
}

/**
 * Throws unless gaffer's own index of a warm clone (its stat cache) shows nothing changed in its
 * work tree, untracked files included: nothing, for a clone left exactly as it was made. It reads
 * only the work tree and that index, so it can run while the clone is being confined.
 */
export async function checkWarmTree(ws: Workspace): Promise<void> {
  const problem = await treeProblem(ws);
  if (problem !== undefined) throw new Error(problem);
}

async function treeProblem(ws: Workspace): Promise<string | undefined> {
  const output = await workspaceGit(
    ws,
    ["status", "--porcelain=v2", "--untracked-files=all", "--no-renames", "--ignore-submodules=all"],
    { env: { GIT_INDEX_FILE: ws.indexPath } },
  );
  return output.split("\n").some((line) => line !== "" && !line.startsWith("# "))
    ? `${ws.dir} has changes`
    : undefined;
}

/** `<commit> <ref>` of the clone's HEAD (`HEAD` itself when detached). */
async function headOf(ws: Workspace): Promise<string> {
  const output = await workspaceGit(ws, ["rev-parse", "HEAD^{commit}", "--symbolic-full-name", "HEAD"]);
  return output.split("\n").join(" ");
}

/**
 * Moves a taken clone to the run's workspace path `dir`: gaffer's files first, the clone last, so
 * the run's path only ever holds a complete workspace. Undefined (the clone removed) when it
 * cannot be moved.
 */
export async function placeWarmClone(
  taken: TakenWarmClone,
  opts: Pick<ClaimWarmOptions, "dir" | "onTamper" | "onDiscard">,
): Promise<Workspace | undefined> {
  const warm = workspaceAt(join(taken.entry, "clone"));
  const target = workspaceAt(resolve(opts.dir), { ...(opts.onTamper && { onTamper: opts.onTamper }) });
  try {
    await mkdir(join(target.dir, ".."), { recursive: true });
    await rename(warm.pristineConfigPath, target.pristineConfigPath);
    await rename(warm.indexPath, target.indexPath);
    await rename(pristineAlternatesPath(warm), pristineAlternatesPath(target));
    await rename(warm.dir, target.dir);
    await rmdir(taken.entry);
    return target;
  } catch (error) {
    await discard(taken.entry, error, opts);
    return undefined;
  }
}

/** Removes a taken clone no run will use. */
export async function dropWarmClone(taken: TakenWarmClone): Promise<void> {
  await rm(taken.entry, { recursive: true, force: true });
}

async function discard(
  entry: string,
  error: unknown,
  opts: Pick<TakeWarmOptions, "onDiscard">,
): Promise<void> {
  await rm(entry, { recursive: true, force: true });
  opts.onDiscard?.(entry, error instanceof Error ? error.message : String(error));
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
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
    if ((await treeProblem(workspace)) !== undefined)
      throw new Error(`${workspace.dir} changed as it was made`);
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
function poolKey(opts: Omit<WarmPoolOptions, "pool">): string {
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
