import { checked, hardenedGit, hardenedGitResult } from "./git.ts";
import { withRepoLock } from "./lock.ts";

/**
 * git talking to a forge with gaffer's own credentials: the `Authorization` header goes to git as
 * an `http.<url>.extraHeader` in `GIT_CONFIG_*` variables, so it is in no argument list, no URL
 * (which git may print) and no file, and no credential helper is asked.
 */
export function forgeGitEnv(url: string, authorization: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: `http.${url}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: ${authorization}`,
    GIT_CONFIG_KEY_1: "credential.helper",
    GIT_CONFIG_VALUE_1: "",
  };
}

/** Where a forge's branch is kept in the project once fetched: gaffer's own ref, never a branch of yours. */
export function forgeBranchRef(branch: string): string {
  return `refs/gaffer/forge/${branch}`;
}

/**
 * Fetches a forge's branch into the project as `refs/gaffer/forge/<branch>` (under the
 * repository's lock) and returns its tip. Only git's transfer traffic: no API request is spent.
 */
export async function fetchForgeBranch(
  root: string,
  remote: { url: string; authorization: string },
  branch: string,
): Promise<string> {
  const ref = forgeBranchRef(branch);
  return withRepoLock(root, async () => {
    await hardenedGit(
      root,
      ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote.url, `+refs/heads/${branch}:${ref}`],
      { env: forgeGitEnv(remote.url, remote.authorization) },
    );
    return hardenedGit(root, ["rev-parse", "--verify", `${ref}^{commit}`]);
  });
}

/**
 * How `head` stands with `base`: already on it (`base` is in its history), or the paths that
 * conflict if `head` were merged onto `base` (none: it merges cleanly). Reads and writes objects
 * of the project only.
 */
export async function standingWith(
  root: string,
  base: string,
  head: string,
): Promise<{ upToDate: boolean; conflicts: string[] }> {
  const upToDate = await hardenedGit(root, ["merge-base", "--is-ancestor", base, head]).then(
    () => true,
    () => false,
  );
  if (upToDate) return { upToDate, conflicts: [] };
  const args = ["merge-tree", "--write-tree", "--name-only", "--no-messages", base, head];
  const merged = await hardenedGitResult(root, args);
  // 0: clean; 1: conflicts, named after the tree's line; anything else is a failure.
  if (merged.exitCode !== 0 && merged.exitCode !== 1) checked(merged, args, root);
  const conflicts = merged.stdout
    .toString("utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line !== "");
  return { upToDate, conflicts: [...new Set(conflicts)] };
}
