import { lstatSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { GafferError } from "../errors.ts";
import { readAgentFile, unsafeFileError } from "../util/index.ts";
import { projectGitResult } from "./git.ts";

/** Throws GafferError("not-a-repo") unless `dir` is inside a git repository. */
export async function assertRepository(dir: string): Promise<void> {
  const result = await projectGitResult(dir, ["rev-parse", "--git-dir"]);
  if (result.exitCode !== 0) throw notARepo(dir);
}

/** The top directory of the working tree that contains `dir`, symlinks resolved. */
export async function resolveProjectRoot(dir: string): Promise<string> {
  const start = await realpath(dir).catch(() => undefined);
  const found = start === undefined ? undefined : plainWorkTreeAbove(start);
  if (found !== undefined) return found;
  const result = await projectGitResult(dir, ["rev-parse", "--show-toplevel"]);
  if (result.exitCode !== 0) {
    const bare = await projectGitResult(dir, ["rev-parse", "--is-bare-repository"]);
    if (bare.exitCode === 0 && bare.stdout.toString("utf8").trim() === "true") throw bareRepo(dir);
    throw notARepo(dir);
  }
  return realpath(result.stdout.toString("utf8").trimEnd());
}

/**
 * git's own discovery for the common case, without starting git (every command begins here): the
 * nearest directory above `start` holding a `.git` directory of this user whose config moves no
 * work tree, on the same filesystem. Anything else (a `.git` file, a directory inside `.git`, a
 * config with `worktree`, `bare` or `include`, another owner) is left to git, which answers or
 * explains.
 */
function plainWorkTreeAbove(start: string): string | undefined {
  const device = lstatSync(start).dev;
  for (let current = start; ; current = dirname(current)) {
    if (current.split("/").includes(".git")) return undefined;
    const here = lstatSync(current, { throwIfNoEntry: false });
    if (here?.dev !== device) return undefined;
    const gitDir = lstatSync(join(current, ".git"), { throwIfNoEntry: false });
    if (gitDir !== undefined) {
      if (!gitDir.isDirectory() || gitDir.uid !== process.getuid?.()) return undefined;
      return plainGitDir(join(current, ".git")) ? current : undefined;
    }
    if (current === dirname(current)) return undefined;
  }
}

function plainGitDir(gitDir: string): boolean {
  if (!lstatSync(join(gitDir, "HEAD"), { throwIfNoEntry: false })?.isFile()) return false;
  // The directory may be an agent's workspace (a user inside .gaffer/workspaces/): read as hostile.
  const path = join(gitDir, "config");
  const config = readAgentFile(path, { maxBytes: 64 * 1024 });
  // git itself would wait forever on a FIFO there, or read a device.
  if (!config.ok && (config.reason === "fifo" || config.reason === "socket" || config.reason === "device"))
    throw unsafeFileError(path, config.reason);
  return (
    config.ok &&
    !/^\s*(worktree\s*=|bare\s*=\s*(true|yes|on|1)\b|\[\s*include)/im.test(config.data.toString("utf8"))
  );
}

/** A project's branches as one `for-each-ref` reads them, with where origin/HEAD points. */
interface Branches {
  /** Branch name → its tip, when that tip is a commit. */
  tips: Map<string, string | undefined>;
  originHead: string | undefined;
}

async function readBranches(project: string): Promise<Branches> {
  const listed = await projectGitResult(project, [
    "for-each-ref",
    "--format=%(refname)%00%(objectname)%00%(objecttype)%00%(symref)",
    "refs/heads/",
    "refs/remotes/origin/HEAD",
  ]);
  if (listed.exitCode !== 0) throw notARepo(project);
  const tips = new Map<string, string | undefined>();
  let originHead: string | undefined;
  for (const line of listed.stdout.toString("utf8").split("\n")) {
    const [ref = "", object = "", type = "", symref = ""] = line.split("\0");
    if (ref === "refs/remotes/origin/HEAD") originHead = symref.replace(/^refs\/remotes\/origin\//, "");
    else if (ref.startsWith("refs/heads/"))
      tips.set(ref.slice("refs/heads/".length), type === "commit" ? object : undefined);
  }
  return { tips, originHead };
}

function assertAnyBranch(project: string, branches: Branches): void {
  if (branches.tips.size === 0) {
    throw new GafferError("no-commits", `${project} has no commits to branch from`, "make a first commit");
  }
}

/**
 * The branch runs start from: the override if given (it must exist), else the branch
 * origin/HEAD names if it exists locally, else `main`, else `master`, else the current branch.
 */
export async function detectDefaultBranch(project: string, override?: string): Promise<string> {
  return chooseBranch(project, await readBranches(project), override);
}

/**
 * The default branch (as detectDefaultBranch chooses it) and its tip commit, from one read of the
 * project's branches; throws GafferError("no-commits") when there is no branch yet.
 */
export async function defaultBranchTip(
  project: string,
  override?: string,
): Promise<{ branch: string; commit: string }> {
  const branches = await readBranches(project);
  assertAnyBranch(project, branches);
  const branch = await chooseBranch(project, branches, override);
  const tip = branches.tips.get(branch);
  if (tip !== undefined) return { branch, commit: tip };
  const peeled = await projectGitResult(project, ["rev-parse", "--verify", `refs/heads/${branch}^{commit}`]);
  if (peeled.exitCode !== 0)
    throw new GafferError(
      "usage",
      `branch ${branch} of ${project} does not point at a commit`,
      "point it at one",
    );
  return { branch, commit: peeled.stdout.toString("utf8").trim() };
}

async function chooseBranch(project: string, branches: Branches, override?: string): Promise<string> {
  if (override !== undefined) {
    if (branches.tips.has(override)) return override;
    throw new GafferError(
      "usage",
      `base branch "${override}" does not exist in ${project}`,
      "name an existing local branch, or leave the base branch unset to detect it",
    );
  }
  for (const candidate of [branches.originHead, "main", "master"]) {
    if (candidate && branches.tips.has(candidate)) return candidate;
  }
  const current = await projectGitResult(project, ["symbolic-ref", "-q", "--short", "HEAD"]);
  const name = current.exitCode === 0 ? current.stdout.toString("utf8").trim() : "";
  if (name !== "" && branches.tips.has(name)) return name;
  throw new GafferError(
    "usage",
    `cannot tell the base branch of ${project}: no origin/HEAD, main or master, and HEAD is detached`,
    "name the base branch explicitly",
  );
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
