import { spawn } from "node:child_process";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { verifyWorkspace } from "./integrity.ts";
import type { GitResult, Identity, Workspace } from "./types.ts";
import { killGroup, placeStarted } from "../util/index.ts";

export interface GitOptions {
  /** Variables gaffer sets for this command (identity, GIT_INDEX_FILE…); inherited GIT_* never pass. */
  env?: Record<string, string>;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Aborting kills git (and what it started, e.g. upload-pack); the result is then a failure. */
  signal?: AbortSignal;
  /** Output past this many bytes stops git: the result keeps the head and says `truncated`. */
  maxStdoutBytes?: number;
}

export type { GitResult };

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Settings that keep git from running anything a repository's config, hooks or attributes name. */
const HARDENING = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "core.attributesFile=/dev/null",
  "commit.gpgSign=false",
  "tag.gpgSign=false",
  "core.pager=cat",
  "core.editor=true",
  "diff.external=",
  // `status` and `commit` would otherwise run git inside nested repositories with their own config.
  "diff.ignoreSubmodules=all",
  "submodule.recurse=false",
  "protocol.file.allow=always",
  "protocol.ext.allow=never",
  "fetch.recurseSubmodules=false",
].flatMap((setting) => ["-c", setting]);

/**
 * For diffs and logs between two commits or trees only (never the worktree, whose nested
 * repositories it would enter): lists gitlinks as entries, which `diff.ignoreSubmodules=all` hides,
 * and, being given on the command line, keeps git from reading `.gitmodules`, whose hostile
 * values (`update = !cmd`) make it die.
 */
export const TREE_DIFF_SUBMODULES = "--ignore-submodules=none";

/** Runs git on the user's own repository, with the user's configuration; throws on failure. */
export async function projectGit(
  project: string,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<string> {
  return checked(await projectGitResult(project, args, opts), args, project);
}

/** Like projectGit, but returns the result whatever the exit code. */
export function projectGitResult(
  project: string,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<GitResult> {
  return execGit(
    ["-C", project, ...args],
    project,
    cleanEnv({ GIT_TERMINAL_PROMPT: "0", ...opts.env }),
    opts,
  );
}

/**
 * Runs git inside an agent's workspace so that nothing the agent planted can run: the `.git`
 * directory and its config are verified (and the config restored) first, global and system
 * config are off, and hooks, fsmonitor, filters' attributes and external diffs are disabled.
 */
export async function workspaceGit(
  ws: Workspace,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<string> {
  return checked(await workspaceGitResult(ws, args, opts), args, ws.dir);
}

/** Like workspaceGit, for output that must stay raw bytes (paths from `-z` listings). */
export async function workspaceGitBytes(
  ws: Workspace,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<Buffer> {
  const result = await workspaceGitResult(ws, args, opts);
  checked(result, args, ws.dir);
  return result.stdout;
}

/** Like workspaceGit, but returns the result whatever the exit code. */
export async function workspaceGitResult(
  ws: Workspace,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<GitResult> {
  await verifyWorkspace(ws);
  const location = [`--git-dir=${join(ws.dir, ".git")}`, `--work-tree=${ws.dir}`];
  const options = ws.signal && !opts.signal ? { ...opts, signal: ws.signal } : opts;
  return execGit([...location, ...HARDENING, ...args], ws.dir, hardenedEnv(opts.env), options);
}

/**
 * Hardened git on a repository gaffer alone writes (a run's evidence repository, `gitDir`),
 * optionally over a work tree it reads files from (`workTree`: the workspace or the gate's
 * checkout). Nothing of the work tree's own `.git` is read.
 */
export async function ownedGitResult(
  gitDir: string,
  args: readonly string[],
  opts: GitOptions & { workTree?: string } = {},
): Promise<GitResult> {
  const location = [`--git-dir=${gitDir}`, ...(opts.workTree ? [`--work-tree=${opts.workTree}`] : [])];
  return execGit([...location, ...HARDENING, ...args], opts.workTree ?? gitDir, hardenedEnv(opts.env), opts);
}

/** Like ownedGitResult; throws unless git succeeded, and returns its output as text. */
export async function ownedGit(
  gitDir: string,
  args: readonly string[],
  opts: GitOptions & { workTree?: string } = {},
): Promise<string> {
  return checked(await ownedGitResult(gitDir, args, opts), args, gitDir);
}

/** Hardened git for gaffer's own work outside a verified workspace: cloning, fetching from one. */
export async function hardenedGit(
  cwd: string,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<string> {
  return checked(await hardenedGitResult(cwd, args, opts), args, cwd);
}

/** Like hardenedGit, but returns the result whatever the exit code. */
export function hardenedGitResult(
  cwd: string,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<GitResult> {
  return execGit([...HARDENING, ...args], cwd, hardenedEnv(opts.env), opts);
}

/** Environment variables that make git record `identity` as author and committer. */
export function identityEnv(identity: Identity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}

function hardenedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    // Replace refs and grafts would let a planted file swap one object for another in gaffer's reading.
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_GRAFT_FILE: "/dev/null",
    GIT_ATTR_NOSYSTEM: "1",
    ...extra,
  });
}

/** gaffer's environment without any inherited GIT_* variable, plus the given ones. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("GIT_")) env[key] = value;
  }
  return { ...env, ...extra };
}

export function checked(result: GitResult, args: readonly string[], dir: string): string {
  if (result.exitCode === 0) return result.stdout.toString("utf8").trimEnd();
  const command = `git ${args.join(" ")}`;
  const reason = result.timedOut ? "timed out" : firstLine(result.stderr) || `exit ${result.exitCode}`;
  throw new GafferError("git-failed", `${command} failed in ${dir}: ${reason}`, undefined, {
    ...(DISK_FULL.test(result.stderr) && { cause: diskFull() }),
  });
}

/** How git says a write failed for want of space: in words only (its errno is gone by then). */
const DISK_FULL = /No space left on device|Disk quota exceeded/;

/** The system error git met, for callers that tell a machine's failure from a refused operation. */
function diskFull(): NodeJS.ErrnoException {
  return Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
}

/** The first line of git's complaint, past the advice it prints first (`hint: …`). */
function firstLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.find((line) => !line.startsWith("hint:")) ?? lines[0] ?? "";
}

function execGit(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  opts: GitOptions,
): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = spawn("git", args, {
      cwd,
      env,
      detached: true,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    placeStarted(child.pid, "command");
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let truncated = false;
    let timedOut = false;
    let spawnError = "";
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const cancel = () => {
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    };
    if (opts.signal?.aborted) cancel();
    else opts.signal?.addEventListener("abort", cancel, { once: true });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (truncated) return;
      const room = (opts.maxStdoutBytes ?? Infinity) - stdoutBytes;
      stdout.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      stdoutBytes += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        cancel();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.on("error", () => {});
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on("error", (error) => {
      spawnError = `cannot run git: ${error.message}`;
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", cancel);
      resolve({
        exitCode: spawnError ? null : exitCode,
        stdout: Buffer.concat(stdout),
        stderr: spawnError || Buffer.concat(stderr).toString("utf8"),
        timedOut,
        ...(truncated && { truncated }),
      });
    });
  });
}
