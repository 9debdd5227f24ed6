import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { buildCli } from "../../scripts/build.ts";
import { collect, type CliResult } from "./cli.ts";
import { listProcesses } from "./processes.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * An installation holding only what a user's package holds to start: the launcher, package.json and
 * the build, no sources and no node_modules — so whatever runs here is the bundle. Its standby
 * processes, if any started, are stopped after the test.
 */
export async function builtInstallation(t: TestContext): Promise<string> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-bundle-")));
  t.after(() => {
    stopStandbys(root);
    rmSync(root, { recursive: true, force: true });
    rmSync(runtimeOf(root), { recursive: true, force: true });
  });
  mkdirSync(join(root, "bin"));
  // Its standbys' runtime directory, beside it: inside, where a sandbox shows gaffer's own code, an
  // agent would see their sockets.
  mkdirSync(runtimeOf(root));
  copyFileSync(join(ROOT, "bin", "gaffer.js"), join(root, "bin", "gaffer.js"));
  copyFileSync(join(ROOT, "package.json"), join(root, "package.json"));
  await buildCli(ROOT, join(root, "dist", "gaffer"));
  return root;
}

/**
 * The environment the installation's CLI runs with: what the build remembers stays in `cache`, and
 * its standby listens in `runtime` (the installation's own by default).
 */
export function installationEnv(
  root: string,
  options: { env?: NodeJS.ProcessEnv; cache?: string; runtime?: string } = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: "1",
    XDG_CACHE_HOME: options.cache ?? join(root, "cache"),
    XDG_RUNTIME_DIR: options.runtime ?? runtimeOf(root),
    ...options.env,
  };
}

/** Runs the installation's CLI (see installationEnv). */
export function gafferAt(
  root: string,
  args: string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; cache?: string; runtime?: string } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [join(root, "bin", "gaffer.js"), ...args], {
    cwd,
    env: installationEnv(root, options),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return collect(child);
}

/** The installation's standby socket, once one listens. */
export function standbySocketOf(root: string, runtime = runtimeOf(root)): string {
  const dir = join(runtime, "gaffer-standby");
  const socket = readdirSync(dir).find((name) => name.endsWith(".sock"));
  if (!socket) throw new Error(`no standby socket in ${dir}`);
  return join(dir, socket);
}

/** The installation's runtime directory (`XDG_RUNTIME_DIR`), where its standby listens. */
export function runtimeOf(root: string): string {
  return `${root}.run`;
}

/** The installation's standby processes. */
export function standbysOf(root: string): number[] {
  const bin = join(root, "bin", "gaffer.js");
  return listProcesses()
    .filter((process) => process.command.includes(`${bin} standby`))
    .map((process) => process.pid);
}

function stopStandbys(root: string): void {
  for (const pid of standbysOf(root)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
