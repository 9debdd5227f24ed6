import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { hardenedGit, identityEnv, projectGit, projectGitResult, workspaceGit } from "./git.ts";
import { removeWorkspace, verifyWorkspace } from "./integrity.ts";
import { withRepoLock } from "./lock.ts";
import { captureWorktree, resolveCommit } from "./tree.ts";
import type { EvidenceRepo } from "./evidence.ts";
import type { Workspace } from "./types.ts";

export interface SnapshotResult {
  /** `refs/gaffer/snapshots/<runId>` in the project. */
  ref: string;
  commit: string;
  /** True when the snapshot commit holds changes the agent had not committed. */
  uncommitted: boolean;
  /** Where an earlier, different snapshot of the same run was kept; null if there was none to keep. */
  preserved: string | null;
}

export interface PublishResult {
  ref: string;
  head: string;
  /** Where the project branch's old tip was kept, if it held commits the new tip lacks. */
  preserved: string | null;
}

const SNAPSHOT_IDENTITY = { name: "gaffer", email: "gaffer@localhost" };

/**
 * Records the workspace — its commits and its uncommitted tracked and untracked-not-ignored
 * files — as a commit on top of HEAD, and stores it in the project as `refs/gaffer/snapshots/<runId>`.
 * When `matching` (a commit the project has, e.g. the run's proposal) holds exactly that state —
 * HEAD as its parent and the same files — it is the snapshot. The agent's index and worktree are
 * not touched.
 */
export async function snapshotWorkspace(
  project: string,
  ws: Workspace,
  runId: string | number,
  opts: { matching?: string } = {},
): Promise<SnapshotResult> {
  const { head, tree } = await captureWorktree(ws);
  const headTree = head ? await workspaceGit(ws, ["rev-parse", `${head}^{tree}`]) : null;
  const uncommitted = !head || headTree !== tree;
  const known = uncommitted && opts.matching && (await holds(project, opts.matching, head, tree));
  const commit = !uncommitted
    ? head
    : known
      ? (opts.matching as string)
      : await snapshotCommit(ws, tree, head, runId);
  const ref = `refs/gaffer/snapshots/${runId}`;
  await verifyWorkspace(ws);
  const preserved = await withRepoLock(project, async () => {
    await fetchCommit(project, join(ws.dir, ".git"), commit);
    return setRefKeepingOld(project, ref, commit, String(runId));
  });
  return { ref, commit, uncommitted, preserved };
}

/**
 * Makes the workspace's run branch a branch of the project. A different old tip of that branch
 * is first kept under `refs/gaffer/snapshots/` unless the new tip contains it.
 */
export async function publishBranch(project: string, ws: Workspace, branch: string): Promise<PublishResult> {
  const head = await resolveCommit(ws, `refs/heads/${branch}`);
  if (!head) throw new GafferError("git-failed", `${ws.dir} has no branch ${branch} to publish`);
  // upload-pack reads the workspace's config, so it must be verified first.
  await verifyWorkspace(ws);
  return publish(project, join(ws.dir, ".git"), head, branch);
}

/** Makes `commit` of gaffer's evidence repository the project's `branch`, as publishBranch does. */
export async function publishCommit(
  project: string,
  repo: EvidenceRepo,
  commit: string,
  branch: string,
): Promise<PublishResult> {
  return publish(project, repo.gitDir, commit, branch);
}

async function publish(
  project: string,
  source: string,
  head: string,
  branch: string,
): Promise<PublishResult> {
  const ref = `refs/heads/${branch}`;
  const preserved = await withRepoLock(project, async () => {
    await refuseCheckedOut(project, ref);
    await fetchCommit(project, source, head);
    return setRefKeepingOld(project, ref, head, branch.replaceAll("/", "-"));
  });
  return { ref, head, preserved };
}

/** Snapshots the workspace, then removes it. A workspace that cannot be snapshotted is kept. */
export async function discardWorkspace(
  project: string,
  ws: Workspace,
  runId: string | number,
): Promise<SnapshotResult | null> {
  if (!(await lstat(ws.dir).catch(() => undefined))) return null;
  const snapshot = await snapshotWorkspace(project, ws, runId);
  await removeWorkspace(ws);
  return snapshot;
}

async function snapshotCommit(
  ws: Workspace,
  tree: string,
  head: string | null,
  runId: string | number,
): Promise<string> {
  const parents = head ? ["-p", head] : [];
  const args = ["commit-tree", tree, ...parents, "-m", `gaffer snapshot of run ${runId}`];
  return workspaceGit(ws, args, { env: identityEnv(SNAPSHOT_IDENTITY) });
}

/** Copies a commit's objects from the repository at `source` into the project without updating any ref. */
async function fetchCommit(project: string, source: string, commit: string): Promise<void> {
  const args = [
    "fetch",
    "--quiet",
    "--no-tags",
    "--no-write-fetch-head",
    "--no-auto-gc",
    "--no-recurse-submodules",
  ];
  await hardenedGit(project, [...args, source, commit]);
}

async function setRefKeepingOld(
  project: string,
  ref: string,
  commit: string,
  name: string,
): Promise<string | null> {
  const old = await projectCommit(project, ref);
  let preserved: string | null = null;
  if (old && old !== commit && !(await isAncestor(project, old, commit))) {
    preserved = `refs/gaffer/snapshots/${name}-${Date.now()}`;
    await projectGit(project, ["update-ref", "-m", "gaffer: keep old tip", preserved, old, ""]);
  }
  await projectGit(project, ["update-ref", "-m", "gaffer", ref, commit, old ?? ""]);
  return preserved;
}

/** Whether the project's `commit` is `tree` on top of `parent`. */
async function holds(project: string, commit: string, parent: string | null, tree: string): Promise<boolean> {
  const result = await projectGitResult(project, ["rev-list", "--parents", "--no-walk", commit]);
  const [, ...parents] = result.stdout.toString("utf8").trim().split(" ");
  if (result.exitCode !== 0 || parents.length !== 1 || parents[0] !== parent) return false;
  return (await projectGit(project, ["rev-parse", `${commit}^{tree}`])) === tree;
}

/** Refuses to move a branch some worktree of the project has checked out. */
export async function refuseCheckedOut(project: string, ref: string): Promise<void> {
  const worktrees = await projectGit(project, ["worktree", "list", "--porcelain"]);
  const line = `branch ${ref}`;
  if (worktrees.split("\n").includes(line)) {
    throw new GafferError(
      "git-failed",
      `${ref} is checked out in a worktree of ${project}; gaffer will not move it under you`,
      "switch that worktree to another branch, then publish again",
    );
  }
}

async function projectCommit(project: string, ref: string): Promise<string | null> {
  const result = await projectGitResult(project, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : null;
}

async function isAncestor(project: string, ancestor: string, commit: string): Promise<boolean> {
  return (await projectGitResult(project, ["merge-base", "--is-ancestor", ancestor, commit])).exitCode === 0;
}
