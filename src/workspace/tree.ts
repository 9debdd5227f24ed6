import { rm } from "node:fs/promises";
import { workspaceGit, workspaceGitBytes, workspaceGitResult } from "./git.ts";
import type { Workspace } from "./types.ts";

export interface WorktreeState {
  /** The commit HEAD points at; null on an unborn branch. */
  head: string | null;
  /** The tree of every tracked and untracked-not-ignored file as it is on disk. */
  tree: string;
  /** Untracked nested repositories (paths without the trailing slash), which the tree leaves out. */
  nestedRepositories: string[];
}

/**
 * Records the worktree as a tree object through gaffer's own index (reset to HEAD, keeping the
 * stat cache of unchanged files), so the agent's index and any flags it set there are never used.
 */
export async function captureWorktree(ws: Workspace): Promise<WorktreeState> {
  const head = await resolveCommit(ws, "HEAD");
  const env = { GIT_INDEX_FILE: ws.indexPath };
  // Only gaffer uses this index, one command at a time: a lock left by a killed gaffer is stale.
  await rm(`${ws.indexPath}.lock`, { force: true });
  await workspaceGit(ws, head ? ["read-tree", "--reset", head] : ["read-tree", "--empty"], { env });
  const nested = await stageWorktree(ws, env);
  const nestedRepositories = nested.map((path) => path.toString("utf8"));
  return { head, tree: await workspaceGit(ws, ["write-tree"], { env }), nestedRepositories };
}

/** The commit a revision names in the workspace, or null when it names none. */
export async function resolveCommit(ws: Workspace, revision: string): Promise<string | null> {
  const result = await workspaceGitResult(ws, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : null;
}

/**
 * Stages every worktree change into the index `env` selects: edits, new files and deletions,
 * never ignored files. `git add` is avoided because it runs `git status` inside nested
 * repositories, whose own config (filters, fsmonitor) the agent controls. Untracked nested
 * repositories are not staged (one without a commit cannot be, and gaffer reads nothing inside
 * them); their paths are returned so the caller can judge them.
 */
export async function stageWorktree(ws: Workspace, env: Record<string, string> = {}): Promise<Buffer[]> {
  const { changed, deleted, nested } = await changedPaths(ws, env);
  // Deletions first, and forced: a file whose directory became a symlink is "beyond a symbolic
  // link" to --remove, and the symlink cannot be added while the index holds the directory.
  await updateIndex(ws, env, ["--force-remove"], deleted);
  await updateIndex(ws, env, ["--add", "--remove"], changed);
  return nested;
}

async function updateIndex(
  ws: Workspace,
  env: Record<string, string>,
  flags: readonly string[],
  paths: readonly Buffer[],
): Promise<void> {
  if (paths.length === 0) return;
  const input = Buffer.concat(paths.flatMap((path) => [path, Buffer.from([0])]));
  await workspaceGit(ws, ["update-index", ...flags, "-z", "--stdin"], { env, input });
}

interface ChangedPaths {
  /** Edited, added or retyped paths, untracked ones included. */
  changed: Buffer[];
  deleted: Buffer[];
  /** Untracked nested repositories, without their trailing slash. */
  nested: Buffer[];
}

/** Paths (raw bytes) whose worktree state differs from the index. */
async function changedPaths(ws: Workspace, env: Record<string, string>): Promise<ChangedPaths> {
  const args = [
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
    "--no-renames",
    "--ignore-submodules=all",
  ];
  const stdout = await workspaceGitBytes(ws, args, { env });
  const paths: ChangedPaths = { changed: [], deleted: [], nested: [] };
  for (const entry of splitNul(stdout)) {
    // "XY path": Y is the worktree column; a blank Y means the change is already staged.
    if (entry.length <= 3 || entry[1] === SPACE) continue;
    const path = entry.subarray(3);
    // An untracked nested repository is listed as "dir/".
    if (path.at(-1) === SLASH) paths.nested.push(path.subarray(0, -1));
    else if (entry[1] === DELETED) paths.deleted.push(path);
    else paths.changed.push(path);
  }
  return paths;
}

const DELETED = 0x44; // "D"
const SPACE = 0x20;
const SLASH = 0x2f;

function splitNul(data: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < data.length;) {
    const end = data.indexOf(0, start);
    parts.push(data.subarray(start, end === -1 ? data.length : end));
    start = end === -1 ? data.length : end + 1;
  }
  return parts;
}
