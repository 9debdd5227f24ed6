import { workspaceGitResult, type Workspace } from "../../workspace/index.ts";
import { GafferError } from "../../errors.ts";

/** The NUL-separated fields of a `-z` listing, as strings, without empty ones. */
export function splitNul(output: Buffer | string): string[] {
  return output
    .toString("utf8")
    .split("\0")
    .filter((field) => field !== "");
}

/** Whether `commit` is an ancestor of (or equal to) `tip`; throws only when git fails. */
export async function isAncestor(ws: Workspace, commit: string, tip: string): Promise<boolean> {
  const args = ["merge-base", "--is-ancestor", commit, tip];
  const result = await workspaceGitResult(ws, args);
  if (result.exitCode === 0 || result.exitCode === 1) return result.exitCode === 0;
  throw new GafferError("git-failed", `git ${args.join(" ")} failed in ${ws.dir}: ${result.stderr.trim()}`);
}

/** Whether the workspace holds `sha` as a commit object. */
export async function commitExists(ws: Workspace, sha: string): Promise<boolean> {
  const result = await workspaceGitResult(ws, ["cat-file", "-e", `${sha}^{commit}`]);
  return result.exitCode === 0;
}

/** The commit a revision names in the workspace, or null when it names none. */
export async function resolveCommit(ws: Workspace, revision: string): Promise<string | null> {
  const result = await workspaceGitResult(ws, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : null;
}
