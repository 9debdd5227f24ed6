import { realpath } from "node:fs/promises";
import { GafferError } from "../errors.ts";
import { projectGit, projectGitResult } from "./git.ts";

/** Throws GafferError("not-a-repo") unless `dir` is inside a git repository. */
export async function assertRepository(dir: string): Promise<void> {
  const result = await projectGitResult(dir, ["rev-parse", "--git-dir"]);
  if (result.exitCode !== 0) throw notARepo(dir);
}

/** The top directory of the working tree that contains `dir`, symlinks resolved. */
export async function resolveProjectRoot(dir: string): Promise<string> {
  const result = await projectGitResult(dir, ["rev-parse", "--show-toplevel"]);
  if (result.exitCode !== 0) {
    const bare = await projectGitResult(dir, ["rev-parse", "--is-bare-repository"]);
    if (bare.exitCode === 0 && bare.stdout.toString("utf8").trim() === "true") throw bareRepo(dir);
    throw notARepo(dir);
  }
  return realpath(result.stdout.toString("utf8").trimEnd());
}

/** Throws GafferError("no-commits") when the repository has no branch with a commit yet. */
export async function assertHasCommits(project: string): Promise<void> {
  const branches = await projectGit(project, [
    "for-each-ref",
    "--count=1",
    "--format=%(refname)",
    "refs/heads",
  ]);
  if (branches === "") {
    throw new GafferError("no-commits", `${project} has no commits to branch from`, "make a first commit");
  }
}

/**
 * The branch runs start from: the override if given (it must exist), else the branch
 * origin/HEAD names if it exists locally, else `main`, else `master`, else the current branch.
 */
export async function detectDefaultBranch(project: string, override?: string): Promise<string> {
  if (override !== undefined) {
    if (await branchExists(project, override)) return override;
    throw new GafferError(
      "usage",
      `base branch "${override}" does not exist in ${project}`,
      "name an existing local branch, or leave the base branch unset to detect it",
    );
  }
  for (const candidate of [await originHead(project), "main", "master", await currentBranch(project)]) {
    if (candidate && (await branchExists(project, candidate))) return candidate;
  }
  throw new GafferError(
    "usage",
    `cannot tell the base branch of ${project}: no origin/HEAD, main or master, and HEAD is detached`,
    "name the base branch explicitly",
  );
}

async function originHead(project: string): Promise<string | undefined> {
  const target = await optionalOutput(project, ["symbolic-ref", "-q", "refs/remotes/origin/HEAD"]);
  return target?.replace(/^refs\/remotes\/origin\//, "");
}

async function currentBranch(project: string): Promise<string | undefined> {
  return optionalOutput(project, ["symbolic-ref", "-q", "--short", "HEAD"]);
}

async function branchExists(project: string, branch: string): Promise<boolean> {
  const result = await projectGitResult(project, ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`]);
  return result.exitCode === 0;
}

async function optionalOutput(project: string, args: string[]): Promise<string | undefined> {
  const result = await projectGitResult(project, args);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : undefined;
}

function notARepo(dir: string): GafferError {
  return new GafferError(
    "not-a-repo",
    `${dir} is not a git repository`,
    "run gaffer inside a git repository, or `git init` one",
  );
}

function bareRepo(dir: string): GafferError {
  return new GafferError(
    "not-a-repo",
    `${dir} is a bare git repository: gaffer needs one with a working tree`,
    "clone it (`git clone <bare> <dir>`) and run gaffer in the clone",
  );
}
