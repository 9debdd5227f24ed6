import { createHash } from "node:crypto";
import { lstat, readdir, readlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Workspace } from "../../workspace/index.ts";
import { readAgentFile } from "../../util/index.ts";

/** Far more than a git config or a hook takes; a bigger file is digested as "too-big". */
const MAX_BYTES = 1024 * 1024;

/**
 * Digests of the metadata in a workspace's `.git` that could make git run something: read
 * straight from disk, never through git, which would restore a changed config first.
 */

/** Every entry under `.git/hooks`, by path relative to it, with a digest of its content or link. */
export async function hookDigests(ws: Workspace): Promise<Record<string, string>> {
  return digestTree(join(ws.dir, ".git", "hooks"), ".");
}

/** sha256 of `.git/config`; null when it is missing or not a regular file. */
export async function configDigest(ws: Workspace): Promise<string | null> {
  const read = readAgentFile(join(ws.dir, ".git", "config"), { maxBytes: MAX_BYTES, within: ws.dir });
  return read.ok ? sha256(read.data) : null;
}

/** The copies of a changed config that workspaceGit saved (next to the pristine one) before restoring it. */
export async function restoredConfigCopies(ws: Workspace): Promise<string[]> {
  const prefix = `${basename(ws.pristineConfigPath)}.tampered-`;
  const names = await readdir(dirname(ws.pristineConfigPath)).catch(() => []);
  return names
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(dirname(ws.pristineConfigPath), name))
    .sort();
}

async function digestTree(path: string, name: string): Promise<Record<string, string>> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return {};
  if (stat.isFile()) {
    const read = readAgentFile(path, { maxBytes: MAX_BYTES });
    return { [name]: read.ok ? `file:${sha256(read.data)}` : read.reason };
  }
  if (stat.isSymbolicLink()) return { [name]: `link:${await readlink(path)}` };
  if (!stat.isDirectory()) return { [name]: "other" };
  const digests: Record<string, string> = {};
  for (const entry of (await readdir(path)).sort()) {
    const child = name === "." ? entry : `${name}/${entry}`;
    Object.assign(digests, await digestTree(join(path, entry), child));
  }
  return digests;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
