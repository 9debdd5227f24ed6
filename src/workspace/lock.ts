import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GafferError } from "../errors.ts";
import { processStartTime } from "../util/index.ts";

export interface RepoLockOptions {
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const queues = new Map<string, Promise<unknown>>();

/** The lock file that serializes gaffer's git metadata operations on one repository. */
export function repoLockPath(project: string): string {
  return join(project, ".gaffer", "locks", "repo.lock");
}

/**
 * Runs `fn` while holding the repository's lock: callers in this process queue up in order,
 * other processes wait on the lock file. Not re-entrant: `fn` must not take the same lock.
 */
export async function withRepoLock<T>(
  project: string,
  fn: () => Promise<T>,
  opts: RepoLockOptions = {},
): Promise<T> {
  // Resolved synchronously so that calls queue in the order they were made.
  const lockPath = repoLockPath(resolve(project));
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const current = previous.then(() => withLockFile(lockPath, fn, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  const settled = current.catch(() => {});
  queues.set(lockPath, settled);
  try {
    return await current;
  } finally {
    if (queues.get(lockPath) === settled) queues.delete(lockPath);
  }
}

async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  const token = ownerToken(process.pid);
  await acquire(lockPath, token, timeoutMs);
  try {
    return await fn();
  } finally {
    if ((await readOrNull(lockPath)) === token) await rm(lockPath, { force: true });
  }
}

/**
 * Takes the lock file at `lockPath` if nobody alive holds it, without waiting: the returned
 * function releases it; undefined when another live process has it.
 */
export async function tryLockFile(lockPath: string): Promise<(() => Promise<void>) | undefined> {
  await mkdir(dirname(lockPath), { recursive: true });
  const token = ownerToken(process.pid);
  let taken = await createExclusive(lockPath, token);
  if (!taken) {
    const held = await readOrNull(lockPath);
    taken =
      held !== null &&
      !ownerAlive(held) &&
      (await takeOver(lockPath, held)) &&
      (await createExclusive(lockPath, token));
  }
  if (!taken) return undefined;
  return async () => {
    if ((await readOrNull(lockPath)) === token) await rm(lockPath, { force: true });
  };
}

async function acquire(lockPath: string, token: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    if (await createExclusive(lockPath, token)) return;
    const held = await readOrNull(lockPath);
    if (held !== null && !ownerAlive(held) && (await takeOver(lockPath, held))) continue;
    if (Date.now() >= deadline) throw lockTimeout(lockPath, held, timeoutMs);
    await sleep(delay);
  }
}

/**
 * Creates `path` holding `content` only if it does not exist. The content is written to a
 * private file first and then hard-linked into place, so nobody ever reads a half-written lock.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const staging = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(staging, content);
  try {
    await link(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(staging, { force: true });
  }
}

/** Removes a dead owner's lock; a second lock file keeps two takers from removing a fresh one. */
async function takeOver(lockPath: string, staleToken: string): Promise<boolean> {
  const guardPath = `${lockPath}.takeover`;
  if (!(await createExclusive(guardPath, ownerToken(process.pid)))) {
    const guard = await readOrNull(guardPath);
    if (guard !== null && !ownerAlive(guard)) await rm(guardPath, { force: true });
    return false;
  }
  try {
    if ((await readOrNull(lockPath)) !== staleToken) return false;
    await rm(lockPath, { force: true });
    return true;
  } finally {
    await rm(guardPath, { force: true });
  }
}

/** "<pid> <start time>": the start time tells a live owner from a new process that reused its pid. */
export function ownerToken(pid: number): string {
  return `${pid} ${processStartTime(pid) ?? "?"}\n`;
}

/** Whether the process an ownerToken names still runs. */
export function ownerAlive(token: string): boolean {
  const [pidText, started] = token.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const current = processStartTime(pid);
  return started === "?" || current === undefined || current === started;
}

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, "utf8").catch(() => null);
}

function lockTimeout(lockPath: string, held: string | null, timeoutMs: number): GafferError {
  const owner = held?.trim().split(" ")[0] ?? "unknown";
  return new GafferError(
    "git-failed",
    `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${lockPath}, held by pid ${owner}`,
    `if process ${owner} is not a gaffer process, remove ${lockPath}`,
  );
}
