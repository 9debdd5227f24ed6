import { spawn } from "node:child_process";
import { killGroup } from "../util/index.ts";
import type { GitResult } from "./types.ts";

/**
 * One git command as gaffer runs it, in a form that crosses a process boundary: a git spawner
 * (git-spawner.ts) receives exactly this. This module imports next to nothing, so the spawner
 * stays small.
 */
export interface GitCommand {
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs: number;
  /** Output past this many bytes stops git: the result keeps the head and says `truncated`. */
  maxStdoutBytes?: number;
}

/** Runs git in its own process group, collecting its output; aborting kills the group. */
export function runGit(command: GitCommand, signal?: AbortSignal): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = spawn("git", command.args, {
      cwd: command.cwd,
      env: command.env,
      detached: true,
      stdio: [command.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let truncated = false;
    let timedOut = false;
    let spawnError = "";
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    }, command.timeoutMs);
    const cancel = () => {
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (truncated) return;
      const room = (command.maxStdoutBytes ?? Infinity) - stdoutBytes;
      stdout.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      stdoutBytes += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        cancel();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.on("error", () => {});
    if (command.input !== undefined) child.stdin?.end(command.input);
    child.on("error", (error) => {
      spawnError = `cannot run git: ${error.message}`;
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", cancel);
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
