import { mkdirSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readAgentFile, writeFreshFile } from "./safe-fs.ts";

/** gaffer's cache: `$XDG_CACHE_HOME/gaffer` (`~/.cache/gaffer` by default), or a folder of it. */
export function cacheDir(env: NodeJS.ProcessEnv, ...folders: string[]): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "gaffer", ...folders);
}

/**
 * A cache file's JSON, read as anything in a place an unconfined agent could reach: no link
 * followed, no FIFO waited on, size-capped. Undefined when it is missing, too big or not JSON.
 */
export function readCacheFile(path: string, maxBytes: number): unknown {
  const read = readAgentFile(path, { maxBytes });
  if (!read.ok) return undefined;
  try {
    return JSON.parse(read.data.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Writes `value` as `dir/name`: a fresh private file renamed into place, so a reader never sees it
 * half written and a planted link is never followed. False when it could not be written (a cache
 * that cannot be kept costs the next process its work again, nothing more).
 */
export function writeCacheFile(dir: string, name: string, value: unknown): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = join(dir, `${name}.${process.pid}.tmp`);
    writeFreshFile(temporary, JSON.stringify(value), { within: dir, mode: 0o600 });
    renameSync(temporary, join(dir, name));
    return true;
  } catch {
    return false;
  }
}
