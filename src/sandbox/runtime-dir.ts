import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processStartTime } from "../util/index.ts";

/** `gaffer-sandbox-<owner pid>-<owner start time>-XXXXXX`. */
const RUNTIME_DIR = /^gaffer-sandbox-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * gaffer's private directory for one sandbox (mode 0700): the proxy socket and an empty file to
 * mount over what a sandbox must not read. It lives in the temp directory, not under `.gaffer/`,
 * because a Unix socket's path must stay short. Its name carries the process that owns it (pid and
 * start time, written with the directory itself), so when that process is killed before it can
 * close its sandbox, `removeOrphanedRuntimeDirs` knows the directory is left over.
 */
export function createRuntimeDir(): { dir: string; emptyFile: string } {
  const owner = `${process.pid}-${processStartTime(process.pid) ?? "0"}`;
  const dir = mkdtempSync(join(tmpdir(), `gaffer-sandbox-${owner}-`));
  const emptyFile = join(dir, "empty");
  writeFileSync(emptyFile, "", { mode: 0o444 });
  return { dir, emptyFile };
}

/**
 * Removes this user's sandbox runtime directories whose owning process is gone (a zombie counts as
 * gone); returns them. A directory whose owner cannot be told (no /proc when it was made), or that
 * is not a real directory of this user, is left alone.
 */
export function removeOrphanedRuntimeDirs(base = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const owner = RUNTIME_DIR.exec(name);
    if (!owner || owner[2] === "0" || processStartTime(Number(owner[1])) === owner[2]) return [];
    const dir = join(base, name);
    try {
      const stats = lstatSync(dir);
      if (!stats.isDirectory() || stats.uid !== process.getuid?.()) return [];
      rmSync(dir, { recursive: true, force: true });
      return [dir];
    } catch {
      return []; // removed by another gaffer meanwhile
    }
  });
}
