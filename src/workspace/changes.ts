import { createHash } from "node:crypto";
import { checked, TREE_DIFF_SUBMODULES, workspaceGitResult } from "./git.ts";
import { captureWorktree, resolveCommit } from "./tree.ts";
import type { GitResult, ObjectReader, Workspace } from "./types.ts";

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

/** A hash of HEAD and every tracked and untracked-not-ignored file: equal means nothing changed. */
export async function worktreeFingerprint(ws: Workspace): Promise<string> {
  const { head, tree } = await captureWorktree(ws);
  return createHash("sha256")
    .update(`${head ?? ""}\n${tree}`)
    .digest("hex");
}

/** The commits from `baseCommit` to `head` and their diff stat, read from verified objects. */
export async function describeProposal(
  objects: ObjectReader,
  baseCommit: string,
  head: string,
): Promise<ProposalSummary> {
  const log = await readText(objects, [
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
  const diffStat = await readText(objects, [
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

export interface ReadOptions {
  /** Output past this many bytes stops git; what was read is returned (see GitResult.truncated). */
  maxStdoutBytes?: number;
}

/**
 * A reader that runs each distinct command once: for one pass of checks over objects named by
 * their ids, whose answers cannot change while it lasts.
 */
export function memoizedReader(objects: ObjectReader): ObjectReader {
  const answers = new Map<string, Promise<GitResult>>();
  return {
    location: objects.location,
    git: (args, opts) => {
      const key = `${opts?.maxStdoutBytes ?? ""}\0${args.join("\0")}`;
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = objects.git(args, opts);
        answers.set(key, answer);
      }
      return answer;
    },
  };
}

/** The output of a git command on verified objects as text; throws unless git succeeded. */
export async function readText(objects: ObjectReader, args: readonly string[]): Promise<string> {
  return checked(await objects.git(args), args, objects.location);
}

/** The raw output of a git command on verified objects; throws unless git succeeded. */
export async function readBytes(
  objects: ObjectReader,
  args: readonly string[],
  opts: ReadOptions = {},
): Promise<Buffer> {
  const result = await objects.git(args, opts);
  // Only a failure is turned into text: the output may be larger than any string can be.
  if (result.exitCode !== 0 && !result.truncated) checked(result, args, objects.location);
  return result.stdout;
}

/** Whether the workspace's `branch` exists and has `base` among its ancestors. */
export async function branchDescendsFrom(ws: Workspace, branch: string, base: string): Promise<boolean> {
  const tip = await resolveCommit(ws, `refs/heads/${branch}`);
  const baseCommit = await resolveCommit(ws, base);
  if (!tip || !baseCommit) return false;
  const result = await workspaceGitResult(ws, ["merge-base", "--is-ancestor", baseCommit, tip]);
  return result.exitCode === 0;
}
