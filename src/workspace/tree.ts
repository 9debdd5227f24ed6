import { rm } from "node:fs/promises";
import { workspaceGit, workspaceGitBytes, workspaceGitResult } from "./git.ts";
import type { Workspace } from "./types.ts";

export interface WorktreeState {
  /** The commit HEAD points at; null on an unborn branch. */
  head: string | null;
  /** The tree of every tracked and untracked-not-ignored file as it is on disk. */
  tree: string;
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
  await stageWorktree(ws, env);
  return { head, tree: await workspaceGit(ws, ["write-tree"], { env }) };
}

/** The commit a revision names in the workspace, or null when it names none. */
export async function resolveCommit(ws: Workspace, revision: string): Promise<string | null> {
  const result = await workspaceGitResult(ws, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : null;
}

/**
 * Stages every worktree change into the index `env` selects: edits, new files and deletions,
 * never ignored files. `git add` is avoided because it runs `git status` inside nested
 * repositories, whose own config (filters, fsmonitor) the agent controls.
 */
export async function stageWorktree(ws: Workspace, env: Record<string, string> = {}): Promise<void> {
  const paths = await changedPaths(ws, env);
  if (paths.length === 0) return;
  const input = Buffer.concat(paths.flatMap((path) => [path, Buffer.from([0])]));
  await workspaceGit(ws, ["update-index", "--add", "--remove", "-z", "--stdin"], { env, input });
}

/** Paths (raw bytes) whose worktree state differs from the index, untracked ones included. */
async function changedPaths(ws: Workspace, env: Record<string, string>): Promise<Buffer[]> {
  const args = [
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
    "--no-renames",
    "--ignore-submodules=all",
  ];
  const stdout = await workspaceGitBytes(ws, args, { env });
  const paths: Buffer[] = [];
  for (const entry of splitNul(stdout)) {
    // "XY path": Y is the worktree column; a blank Y means the change is already staged.
    // An untracked nested repository is listed as "dir/"; update-index wants it without the slash.
    if (entry.length > 3 && entry[1] !== SPACE) paths.push(withoutTrailingSlash(entry.subarray(3)));
  }
  return paths;
}

const SPACE = 0x20;
const SLASH = 0x2f;

function withoutTrailingSlash(path: Buffer): Buffer {
  return path.at(-1) === SLASH ? path.subarray(0, -1) : path;
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
