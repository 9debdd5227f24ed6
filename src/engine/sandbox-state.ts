import { mkdirSync, type Stats } from "node:fs";
import { chmod, lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/** The sandbox's directories on the host, under `<run dir>/sandbox/`. */
export interface SandboxDirs {
  /** Everything below: what the agent can write here counts toward the run's disk budget. */
  root: string;
  home: string;
  tmp: string;
  /** Bound as /dev/shm, so shared memory is on disk and in the budget instead of in RAM. */
  shm: string;
  bin: string;
  guard: string;
  /** The agent's own state and configuration directory (CLAUDE_CONFIG_DIR, CODEX_HOME…). */
  agent: string;
}

/** The places that belong to one leg of a run and go when it ends; bin and the guard's log stay. */
const PRIVATE = ["home", "tmp", "shm", "agent"] as const;

export function sandboxDirs(runDir: string, create = true): SandboxDirs {
  const root = join(runDir, "sandbox");
  const dirs = {
    root,
    home: join(root, "home"),
    tmp: join(root, "tmp"),
    shm: join(root, "shm"),
    bin: join(root, "bin"),
    guard: join(root, "guard"),
    agent: join(root, "agent"),
  };
  if (create) for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

/** Removes the sandbox's private /tmp, HOME, /dev/shm and agent state of a run; its workspace stays. */
export async function removeSandboxState(runDir: string): Promise<void> {
  const dirs = sandboxDirs(runDir, false);
  for (const name of PRIVATE) await removeTree(dirs[name]);
}

/**
 * `rm -rf` that also gets through directories the agent made unreadable (mode 000): those are
 * opened up and the removal tried again. It runs once the run's sandboxed processes are gone, so
 * nothing swaps a checked directory for a symlink meanwhile.
 */
async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    await openUp(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function openUp(dir: string): Promise<void> {
  const stats: Stats | undefined = await lstat(dir).catch(() => undefined);
  if (!stats?.isDirectory()) return;
  await chmod(dir, 0o700).catch(() => {});
  for (const name of await readdir(dir).catch(() => [])) await openUp(join(dir, name));
}
