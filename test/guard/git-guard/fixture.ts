import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { installGitGuard } from "../../../src/guard/index.ts";
import { testEnv } from "../../helpers/git.ts";
import { tempDir } from "../../helpers/tmp.ts";

/** The real git, by absolute path: calling it so bypasses any wrapper on PATH. */
export const REAL_GIT = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();

export interface ShellResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` with sh in `cwd`, with a test git identity, no global config, and `env` on top. */
export function shell(script: string, cwd: string, env: Record<string, string> = {}): ShellResult {
  const result = spawnSync("sh", ["-c", script], { cwd, env: { ...testEnv(), ...env }, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the real git in `cwd` and returns its trimmed stdout ("" on failure). */
export function realGit(cwd: string, ...args: string[]): string {
  const result = spawnSync(REAL_GIT, args, { cwd, env: testEnv(), encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

export interface GuardFixture {
  binDir: string;
  logFile: string;
  /** Environment that puts the wrapper first on PATH, as the engine does for the agent. */
  env: Record<string, string>;
}

/** The wrapper installed for `runBranch` in a fresh bin dir, execing `realGit`. */
export async function guardFixture(
  t: TestContext,
  runBranch: string,
  realGitPath = REAL_GIT,
): Promise<GuardFixture> {
  const dir = tempDir(t, "gaffer-guard-");
  const binDir = join(dir, "bin");
  const logFile = join(dir, "guard", "denials.jsonl");
  await installGitGuard({ binDir, realGit: realGitPath, runBranch, logFile });
  const env = { PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`, GAFFER_RUN_BRANCH: runBranch };
  return { binDir, logFile, env };
}
