import { createHash } from "node:crypto";
import { identityEnv, TREE_DIFF_SUBMODULES, workspaceGit, workspaceGitResult } from "./git.ts";
import { captureWorktree, resolveCommit, stageWorktree } from "./tree.ts";
import type { Identity, Workspace } from "./types.ts";

export interface CommitInfo {
  sha: string;
  subject: string;
  /** "Name <email>" */
  author: string;
}

export interface ProposalSummary {
  head: string;
  /** Oldest first. */
  commits: CommitInfo[];
  diffStat: string;
}

/**
 * A hash of HEAD, every tracked and untracked-not-ignored file and the paths of untracked nested
 * repositories: equal means nothing changed.
 */
export async function worktreeFingerprint(ws: Workspace): Promise<string> {
  const { head, tree, nestedRepositories } = await captureWorktree(ws);
  return createHash("sha256")
    .update(`${head ?? ""}\n${tree}\n${nestedRepositories.join("\0")}`)
    .digest("hex");
}

/**
 * Commits whatever the agent left uncommitted (edits, new files, deletions; never ignored files)
 * on top of the current HEAD, keeping the agent's own commits.
 */
export async function commitChanges(
  ws: Workspace,
  message: string,
  identity: Identity,
): Promise<{ committed: boolean; head: string }> {
  await stageWorktree(ws);
  const committed = (await workspaceGit(ws, ["diff", "--cached", "--name-only", "--no-ext-diff"])) !== "";
  if (committed) {
    const args = ["commit", "--quiet", "--no-verify", "--cleanup=whitespace", "--file=-"];
    await workspaceGit(ws, args, { input: message, env: identityEnv(identity) });
  }
  return { committed, head: await workspaceGit(ws, ["rev-parse", "HEAD"]) };
}

/** The run's commits since `baseCommit` and their diff stat, for the proposal. */
export async function describeProposal(ws: Workspace, baseCommit: string): Promise<ProposalSummary> {
  const head = await workspaceGit(ws, ["rev-parse", "HEAD"]);
  const log = await workspaceGit(ws, [
    "log",
    "--reverse",
    "--no-decorate",
    "--no-show-signature",
    "-z",
    "--format=%H%x1f%an <%ae>%x1f%s",
    `${baseCommit}..${head}`,
  ]);
  const commits = log
    .split("\0")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [sha = "", author = "", subject = ""] = entry.split("\x1f");
      return { sha, subject, author };
    });
  const diffStat = await workspaceGit(ws, [
    "diff",
    "--no-ext-diff",
    "--no-textconv",
    "--stat",
    TREE_DIFF_SUBMODULES,
    baseCommit,
    head,
  ]);
  return { head, commits, diffStat };
}

/** Whether the workspace's `branch` exists and has `base` among its ancestors. */
export async function branchDescendsFrom(ws: Workspace, branch: string, base: string): Promise<boolean> {
  const tip = await resolveCommit(ws, `refs/heads/${branch}`);
  const baseCommit = await resolveCommit(ws, base);
  if (!tip || !baseCommit) return false;
  const result = await workspaceGitResult(ws, ["merge-base", "--is-ancestor", baseCommit, tip]);
  return result.exitCode === 0;
}
