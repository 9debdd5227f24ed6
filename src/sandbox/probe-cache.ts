import { readFileSync, readlinkSync, statSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { cacheDir, readCacheFile, writeCacheFile } from "../util/index.ts";

/** A bubblewrap found to work on this machine. */
export interface Bwrap {
  path: string;
  /** `--disable-userns` (bubblewrap ≥ 0.8): no nested user namespaces inside the sandbox. */
  disableUserns: boolean;
}

const FILE = "bwrap-probe.json";
const MAX_BYTES = 4096;
/** The kernel's switches for unprivileged user namespaces, where this kernel has them. */
const SWITCHES = [
  "/proc/sys/kernel/unprivileged_userns_clone",
  "/proc/sys/user/max_user_namespaces",
  "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
];

/**
 * A working bubblewrap is remembered between gaffer's processes (probing it starts two
 * processes), under a key of everything that would change the answer: the binary itself, the
 * kernel, its user-namespace switches, the user and the user namespace gaffer runs in. Only a
 * working probe is remembered: an answer that became wrong then fails closed when a sandbox starts,
 * never opens a run unconfined; an unusable bubblewrap is probed again every time. The file is
 * read and written as anything in a place an agent could reach (an unconfined one can): no link
 * followed, no FIFO waited on, a fresh file renamed into place.
 */
export function rememberedBwrap(path: string, env: NodeJS.ProcessEnv): Bwrap | undefined {
  const key = probeKey(path);
  if (key === undefined) return undefined;
  const saved = readCacheFile(join(cacheDir(env), FILE), MAX_BYTES) as
    { key?: unknown; disableUserns?: unknown } | undefined;
  // Nothing remembered yet, or unreadable: probe.
  if (typeof saved !== "object" || saved === null) return undefined;
  if (saved.key !== key || typeof saved.disableUserns !== "boolean") return undefined;
  return { path, disableUserns: saved.disableUserns };
}

export function rememberBwrap(bwrap: Bwrap, env: NodeJS.ProcessEnv): void {
  const key = probeKey(bwrap.path);
  if (key === undefined) return;
  writeCacheFile(cacheDir(env), FILE, { key, disableUserns: bwrap.disableUserns });
}

function probeKey(path: string): string | undefined {
  try {
    const binary = statSync(path);
    const switches = SWITCHES.map((file) => {
      try {
        return readFileSync(file, "utf8").trim();
      } catch {
        return "-";
      }
    });
    return JSON.stringify([
      path,
      binary.dev,
      binary.ino,
      binary.size,
      binary.mtimeMs,
      binary.ctimeMs,
      release(),
      process.getuid?.() ?? -1,
      readlinkSync("/proc/self/ns/user"),
      ...switches,
    ]);
  } catch {
    return undefined;
  }
}
