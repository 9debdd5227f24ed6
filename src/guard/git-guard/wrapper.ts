import { execFile } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { promisify } from "node:util";
import { GafferError } from "../../errors.ts";
import { wrapperScript } from "./wrapper-script.ts";
import { writeFreshFile } from "../../util/index.ts";

const run = promisify(execFile);

export interface GitGuardOptions {
  /** The directory the engine puts first on the agent's PATH. */
  binDir: string;
  /** Absolute path of the real git, which the wrapper execs. */
  realGit: string;
  /** The run branch, without `refs/heads/`: the one branch update-ref and symbolic-ref may touch. */
  runBranch: string;
  /** Where each denial is appended as one JSON line (see guardLogEntries). */
  logFile: string;
}

/**
 * Writes the `git` wrapper into `binDir` and returns its path. It is a POSIX sh script (no Node
 * start-up per git call) that refuses what GIT_RULES forbid with `denied by gaffer policy: <rule>`,
 * logs the denial and exits 1, and otherwise execs the real git.
 *
 * This is the friendly layer, not the wall: an absolute path to the real git bypasses it. The
 * guard hooks, the read-only git metadata in the sandbox and the post-run integrity checks are
 * what hold when it is bypassed.
 */
export async function installGitGuard(opts: GitGuardOptions): Promise<string> {
  if (!isAbsolute(opts.realGit) || !relative(opts.binDir, opts.realGit).startsWith("..")) {
    throw new GafferError(
      "usage",
      `the git guard needs the real git as an absolute path outside ${opts.binDir}, not ${opts.realGit}`,
    );
  }
  const { execPath, builtins } = await gitFacts(opts.realGit);
  const script = wrapperScript({ ...opts, execPath, builtins });
  mkdirSync(opts.binDir, { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const path = join(opts.binDir, "git");
  writeFreshFile(path, script, { within: opts.binDir, mode: 0o755 });
  return path;
}

/** Where git keeps its programs and which commands are built in, asked once per git binary. */
const factsOf = new Map<string, Promise<{ execPath: string; builtins: string[] }>>();

/**
 * Asks `realGit` now what a guard installed later needs of it (a process that starts runs, such as
 * a standby, does so before any run needs it).
 */
export async function learnGit(realGit: string): Promise<void> {
  await gitFacts(realGit);
}

/** What the wrapper needs to know of `realGit`; asked again once the binary is replaced (an upgrade). */
function gitFacts(realGit: string): Promise<{ execPath: string; builtins: string[] }> {
  const stat = statSync(realGit, { throwIfNoEntry: false });
  const key = `${realGit}\0${stat?.ino}\0${stat?.mtimeMs}`;
  let facts = factsOf.get(key);
  if (!facts) {
    facts = Promise.all([gitOutput(realGit, "--exec-path"), gitOutput(realGit, "--list-cmds=builtins")]).then(
      ([execPath, builtins]) => ({ execPath, builtins: builtins.split("\n").filter(Boolean) }),
    );
    // A failure is asked again next time, not remembered.
    facts.catch(() => factsOf.delete(key));
    factsOf.set(key, facts);
  }
  return facts;
}

async function gitOutput(realGit: string, arg: string): Promise<string> {
  try {
    return (await run(realGit, [arg], { encoding: "utf8" })).stdout.trim();
  } catch (error) {
    throw new GafferError("git-failed", `${realGit} ${arg} failed: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}
