import { checked, workspaceGit, workspaceGitResult } from "./git.ts";
import type { Workspace } from "./types.ts";

export interface RebaseOptions {
  /** The run branch, without `refs/heads/`. */
  branch: string;
  /** The commit that holds the run's work (its proposal's head): what is carried over. */
  work: string;
  /** The moved base it goes onto. */
  onto: string;
  /** The message of the reflog entry the run branch starts again with. */
  message: string;
}

export interface Rebased {
  /** The tree the work has on the new base; files that conflict hold git's conflict markers. */
  tree: string;
  /** The paths that conflict, for the agent to resolve. */
  conflicts: string[];
}

/**
 * Rebases a run's work onto a moved base with gaffer's own hardened git, in the workspace: the
 * work (every commit of the run since its old base, and what was uncommitted) is merged onto
 * `onto` as one change (`git merge-tree`: their merge base is the old base), the run branch starts
 * again at `onto` with a fresh reflog — so the history the integrity checks read begins at the new
 * base — and the merged files are left in the worktree as uncommitted changes. A file both sides
 * changed keeps both versions between conflict markers, for the agent to resolve. Nothing the
 * agent could have planted runs (workspaceGit), and no object is read from outside the project.
 */
export async function rebaseWorkspace(ws: Workspace, opts: RebaseOptions): Promise<Rebased> {
  const args = ["merge-tree", "--write-tree", "--name-only", "--no-messages", opts.onto, opts.work];
  const merged = await workspaceGitResult(ws, args);
  // 0: merged cleanly; 1: merged with conflicts (the tree holds the markers); anything else failed.
  if (merged.exitCode !== 0 && merged.exitCode !== 1) checked(merged, args, ws.dir);
  const [tree = "", ...names] = merged.stdout.toString("utf8").split("\n");
  const conflicts = [...new Set(names.filter((name) => name !== ""))];
  const ref = `refs/heads/${opts.branch}`;
  // Deleting the branch deletes its reflog: the new one starts at the new base.
  await workspaceGit(ws, ["update-ref", "-d", ref]);
  await workspaceGit(ws, ["update-ref", "--create-reflog", "-m", opts.message, ref, opts.onto, ""]);
  // The worktree takes the merged files (overwriting what was there), the agent's index the new base.
  await workspaceGit(ws, ["read-tree", "--reset", "-u", tree]);
  await workspaceGit(ws, ["read-tree", "--reset", opts.onto]);
  return { tree, conflicts };
}
