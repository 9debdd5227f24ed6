import { lstat, rm } from "node:fs/promises";
import { join } from "node:path";
import { checked, type GitOptions, type GitResult, workspaceGitResult } from "./git.ts";
import type { Workspace } from "./types.ts";

export interface WorktreeState {
  /** The commit HEAD points at; null on an unborn branch. */
  head: string | null;
  /** The tree of every tracked and untracked-not-ignored file as it is on disk. */
  tree: string;
}

/** Runs git for one repository and work tree, returning the result whatever the exit code. */
export type GitRunner = (args: readonly string[], opts?: GitOptions) => Promise<GitResult>;

/**
 * Records the worktree as a tree object through gaffer's own index (reset to HEAD, keeping the
 * stat cache of unchanged files), so the agent's index and any flags it set there are never used.
 */
export async function captureWorktree(ws: Workspace): Promise<WorktreeState> {
  const head = await resolveCommit(ws, "HEAD");
  const run: GitRunner = (args, opts) => workspaceGitResult(ws, args, opts);
  const tree = await captureTree(run, { root: ws.dir, parent: head, indexPath: ws.indexPath });
  return { head, tree };
}

export interface CaptureOptions {
  /** The work tree's directory, to tell what kind of file each changed path is. */
  root: string;
  /** The commit whose tree the capture starts from; null for an empty one. */
  parent: string | null;
  /** gaffer's own index file for this work tree; only gaffer uses it, one command at a time. */
  indexPath: string;
}

/**
 * Writes the tree of `root` as it is on disk: `parent`'s tree with every edit, new file (never an
 * ignored one) and deletion applied. FIFOs, sockets and devices are never read: a tracked path
 * turned into one is recorded as deleted, an untracked one is left out.
 */
export async function captureTree(run: GitRunner, opts: CaptureOptions): Promise<string> {
  const git = async (args: readonly string[], extra: GitOptions = {}) =>
    checked(await run(args, { ...extra, env: { GIT_INDEX_FILE: opts.indexPath } }), args, opts.root);
  // A lock left by a killed gaffer is stale.
  await rm(`${opts.indexPath}.lock`, { force: true });
  await git(opts.parent ? ["read-tree", "--reset", opts.parent] : ["read-tree", "--empty"]);
  await stageWith(run, opts);
  return git(["write-tree"]);
}

/** What differs in a work tree from gaffer's index of it: paths it does not track, and tracked ones changed. */
export interface WorktreeChanges {
  untracked: string[];
  changed: string[];
}

/** Lists, without writing any object, how `opts.root` differs from the index at `opts.indexPath`. */
export async function worktreeChanges(run: GitRunner, opts: CaptureOptions): Promise<WorktreeChanges> {
  const result = await run(STATUS, { env: { GIT_INDEX_FILE: opts.indexPath } });
  checked(result, STATUS, opts.root);
  const changes: WorktreeChanges = { untracked: [], changed: [] };
  for (const entry of splitNul(result.stdout).filter((e) => e.length > 3 && e[1] !== SPACE)) {
    const path = entry.subarray(3).toString("utf8");
    (entry[0] === QUESTION ? changes.untracked : changes.changed).push(path);
  }
  return changes;
}

/** The commit a revision names in the workspace, or null when it names none. */
export async function resolveCommit(ws: Workspace, revision: string): Promise<string | null> {
  const result = await workspaceGitResult(ws, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : null;
}

/**
 * Stages every worktree change into gaffer's index: edits, new files and deletions, never ignored
 * files. `git add` is avoided because it runs `git status` inside nested repositories, whose own
 * config (filters, fsmonitor) the agent controls.
 */
async function stageWith(run: GitRunner, opts: CaptureOptions): Promise<void> {
  const env = { GIT_INDEX_FILE: opts.indexPath };
  const git = async (args: readonly string[], input: Buffer) =>
    checked(await run(args, { env, input }), args, opts.root);
  const { update, remove } = await changedPaths(run, env, opts);
  if (remove.length > 0) await git(["update-index", "--force-remove", "-z", "--stdin"], nulJoined(remove));
  if (update.length > 0) await git(["update-index", "--add", "--remove", "-z", "--stdin"], nulJoined(update));
}

/** Paths (raw bytes) whose worktree state differs from the index, untracked ones included. */
async function changedPaths(
  run: GitRunner,
  env: Record<string, string>,
  opts: CaptureOptions,
): Promise<{ update: Buffer[]; remove: Buffer[] }> {
  const result = await run(STATUS, { env });
  checked(result, STATUS, opts.root);
  const update: Buffer[] = [];
  const remove: Buffer[] = [];
  for (const entry of splitNul(result.stdout)) {
    // "XY path": Y is the worktree column; a blank Y means the change is already staged.
    if (entry.length <= 3 || entry[1] === SPACE) continue;
    const path = entry.subarray(3);
    // An untracked nested repository ("dir/") is left out: one without a commit cannot be staged,
    // and gaffer reads nothing inside it (the integrity check reports it).
    if (path.at(-1) === SLASH) continue;
    // Deleted, or now beyond a symlink its directory became: removed first, and forced.
    if (entry[1] === DELETED) {
      remove.push(path);
      continue;
    }
    const stat = await lstat(join(opts.root, path.toString("utf8"))).catch(() => undefined);
    if (!stat || stat.isFile() || stat.isSymbolicLink() || stat.isDirectory()) update.push(path);
    else if (entry[0] !== QUESTION) remove.push(path);
  }
  return { update, remove };
}

const STATUS = [
  "status",
  "--porcelain=v1",
  "-z",
  "--untracked-files=all",
  "--no-renames",
  "--ignore-submodules=all",
];
const SPACE = 0x20;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const DELETED = 0x44;

function nulJoined(paths: Buffer[]): Buffer {
  return Buffer.concat(paths.flatMap((path) => [path, Buffer.from([0])]));
}

function splitNul(data: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < data.length;) {
    const end = data.indexOf(0, start);
    parts.push(data.subarray(start, end === -1 ? data.length : end));
    start = end === -1 ? data.length : end + 1;
  }
  return parts;
}
