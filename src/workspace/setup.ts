import { constants } from "node:fs";
import { appendFile, copyFile, lstat, mkdir, realpath, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { isSecretFileName } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { type CommandWrapper, runShell } from "../util/index.ts";

export interface SetupCommand {
  name: string;
  run: string;
  timeoutMs: number;
}

export type SetupStep =
  /** `secret`: the file looks like a secret (allowed by `copy_secrets`); the agent can read it. */
  | { kind: "copied"; path: string; secret: boolean }
  | { kind: "missing"; path: string }
  | {
      kind: "command";
      name: string;
      exitCode: number | null;
      timedOut: boolean;
      durationMs: number;
      output: string;
    };

export interface SetupOptions {
  project: string;
  /** The workspace's directory. */
  workspace: string;
  /** Untracked files to copy from the project, relative to its root (e.g. `.env`). */
  copy: readonly string[];
  commands: readonly SetupCommand[];
  /** The whole environment of the commands; gaffer's own when omitted. */
  env?: NodeJS.ProcessEnv;
  onStep?: (step: SetupStep) => void;
  /** Aborting kills the running command and throws GafferError("cancelled"). */
  signal?: AbortSignal;
  /** Confines the commands (a Sandbox's wrap). */
  wrap?: CommandWrapper;
}

/**
 * Prepares a fresh workspace: copies the listed files, then runs each command in it.
 * A failing command throws GafferError("gate-unavailable"): without setup the gate cannot run.
 */
export async function runSetup(opts: SetupOptions): Promise<void> {
  const copied: string[] = [];
  for (const path of opts.copy) {
    const target = await copyIntoWorkspace(opts.project, opts.workspace, path);
    if (target) copied.push(target);
    opts.onStep?.(
      target ? { kind: "copied", path, secret: isSecretFileName(path) } : { kind: "missing", path },
    );
  }
  await excludeFromCommits(opts.workspace, copied);
  for (const command of opts.commands) {
    await runCommand(command, opts);
  }
}

/** Copies one file; returns its path relative to the workspace, or undefined when it is missing. */
async function copyIntoWorkspace(
  project: string,
  workspace: string,
  path: string,
): Promise<string | undefined> {
  const relativePath = insideRelative(path);
  const source = join(project, relativePath);
  const sourceStat = await stat(source).catch(() => undefined);
  if (!sourceStat) return undefined;
  if (!sourceStat.isFile()) {
    throw new GafferError(
      "config-invalid",
      `setup copy "${path}" is not a file`,
      "copy directories with a setup command instead",
    );
  }
  const target = join(workspace, relativePath);
  // Never write through a symlink out of the workspace: check the part of the path that exists.
  await assertInside(workspace, await existingAncestor(dirname(target)), path);
  await mkdir(dirname(target), { recursive: true });
  if (await lstat(target).catch(() => undefined)) await rm(target, { recursive: true });
  await copyFile(source, target, constants.COPYFILE_EXCL);
  return relativePath;
}

async function existingAncestor(dir: string): Promise<string> {
  while (!(await lstat(dir).catch(() => undefined))) dir = dirname(dir);
  return dir;
}

/**
 * Copied files are often secrets (`.env`): keep them out of gaffer's commits even when only
 * the user's global ignore file (which workspaces do not read) lists them.
 */
async function excludeFromCommits(workspace: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  await mkdir(join(workspace, ".git", "info"), { recursive: true });
  await appendFile(join(workspace, ".git", "info", "exclude"), paths.map(literalIgnorePattern).join(""));
}

export function literalIgnorePattern(path: string): string {
  const escaped = path
    .split(sep)
    .join("/")
    .replace(/[\\*?[\]!#\s]/g, "\\$&");
  return `/${escaped}\n`;
}

function insideRelative(path: string): string {
  const normalized = normalize(path);
  const [first] = normalized.split(sep);
  if (path === "" || isAbsolute(path) || first === "..") {
    throw new GafferError(
      "config-invalid",
      `setup copy "${path}" is outside the project`,
      "list paths relative to the project root, without `..`",
    );
  }
  if (first === ".git") {
    throw new GafferError(
      "config-invalid",
      `setup copy "${path}" is inside .git`,
      "copy only working-tree files",
    );
  }
  return normalized;
}

async function assertInside(workspace: string, dir: string, path: string): Promise<void> {
  const fromRoot = relative(await realpath(workspace), await realpath(dir));
  if (fromRoot === ".." || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) {
    throw new GafferError("workspace-tampered", `setup copy "${path}" would be written outside ${workspace}`);
  }
}

async function runCommand(command: SetupCommand, opts: SetupOptions): Promise<void> {
  const result = await runShell(command.run, {
    cwd: opts.workspace,
    env: opts.env,
    timeoutMs: command.timeoutMs,
    signal: opts.signal,
    ...(opts.wrap && { wrap: opts.wrap }),
  });
  const { exitCode, timedOut, durationMs, output } = result;
  opts.onStep?.({ kind: "command", name: command.name, exitCode, timedOut, durationMs, output });
  if (result.cancelled) throw new GafferError("cancelled", `setup step "${command.name}" was cancelled`);
  if (exitCode === 0 && !timedOut) return;
  const why = timedOut ? `timed out after ${command.timeoutMs / 1000}s` : `failed (exit ${exitCode})`;
  const last = output.trimEnd().split("\n").at(-1) ?? "";
  throw new GafferError(
    "gate-unavailable",
    `setup step "${command.name}" ${why}${last ? `: ${last}` : ""}`,
    `fix the setup command \`${command.run}\`, or run it by hand in ${opts.workspace} to see why`,
  );
}
