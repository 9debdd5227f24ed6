import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { tempDir } from "./tmp.ts";

export const TEST_IDENTITY = { name: "Test User", email: "test@example.com" };

/** Pinned dates, so commits made by the helpers have the same shas on every run. */
const PINNED_DATE = "2024-01-01T00:00:00Z";

/**
 * A real repository in a temporary directory, removed when the test ends: `git init -b <branch>`,
 * a test identity, gc, maintenance and signing off, and one commit of `files`.
 */
export function gitRepo(
  t: TestContext,
  files: Record<string, string>,
  opts: { branch?: string } = {},
): string {
  const dir = tempDir(t, "gaffer-repo-");
  git(dir, "init", "--quiet", `--initial-branch=${opts.branch ?? "main"}`);
  for (const [key, value] of Object.entries({
    "user.name": TEST_IDENTITY.name,
    "user.email": TEST_IDENTITY.email,
    "gc.auto": "0",
    "maintenance.auto": "false",
    "commit.gpgSign": "false",
  })) {
    git(dir, "config", key, value);
  }
  writeFiles(dir, files);
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "--allow-empty", "-m", "initial");
  return dir;
}

/** Writes files (creating their directories) relative to `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Runs git in `dir` and returns its trimmed stdout; throws on a non-zero exit. */
export function gitOut(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    env: testEnv(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** Runs git in `dir` for its effect. */
export function git(dir: string, ...args: string[]): void {
  gitOut(dir, ...args);
}

/** Commits everything in `dir` with a message, as the test identity. */
export function commitAll(dir: string, message: string): string {
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "-m", message);
  return gitOut(dir, "rev-parse", "HEAD");
}

/** The environment for git in tests: no inherited GIT_*, no global or system config, a pinned identity and date. */
export function testEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("GIT_")) env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: TEST_IDENTITY.name,
    GIT_AUTHOR_EMAIL: TEST_IDENTITY.email,
    GIT_COMMITTER_NAME: TEST_IDENTITY.name,
    GIT_COMMITTER_EMAIL: TEST_IDENTITY.email,
    GIT_AUTHOR_DATE: PINNED_DATE,
    GIT_COMMITTER_DATE: PINNED_DATE,
  };
}
