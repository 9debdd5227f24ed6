import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Every directory and file under `dir`, files with their modification time and content hash:
 * two snapshots are equal only when nothing below was created, changed or touched.
 */
export function treeSnapshot(dir: string): string[] {
  const entries: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stat = statSync(full);
      if (stat.isDirectory()) {
        entries.push(`${full}/`);
        walk(full);
      } else {
        entries.push(
          `${full} ${stat.mtimeMs} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`,
        );
      }
    }
  };
  walk(dir);
  return entries;
}
