import type { ObjectReader } from "../../workspace/index.ts";
import { GafferError } from "../../errors.ts";

/** The NUL-separated fields of a `-z` listing, as strings, without empty ones. */
export function splitNul(output: Buffer | string): string[] {
  return output
    .toString("utf8")
    .split("\0")
    .filter((field) => field !== "");
}

/** Whether `commit` is an ancestor of (or equal to) `tip`; throws only when git fails. */
export async function isAncestor(objects: ObjectReader, commit: string, tip: string): Promise<boolean> {
  const args = ["merge-base", "--is-ancestor", commit, tip];
  const result = await objects.git(args);
  if (result.exitCode === 0 || result.exitCode === 1) return result.exitCode === 0;
  throw new GafferError(
    "git-failed",
    `git ${args.join(" ")} failed in ${objects.location}: ${result.stderr.trim()}`,
  );
}

/** Whether the objects hold `sha` as a commit. */
export async function commitExists(objects: ObjectReader, sha: string): Promise<boolean> {
  const result = await objects.git(["cat-file", "-e", `${sha}^{commit}`]);
  return result.exitCode === 0;
}

/** Whether `commit` is in the history of `tip`: present among the verified objects and an ancestor. */
export async function inHistory(objects: ObjectReader, commit: string, tip: string): Promise<boolean> {
  return (await commitExists(objects, commit)) && (await isAncestor(objects, commit, tip));
}
