import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, lstat, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import type { TamperEvidence, Workspace } from "./types.ts";
import { readAgentFile } from "../util/index.ts";

export interface WorkspaceHandleOptions {
  /** Where the pristine config is kept; by default `<dir>.gitconfig`, next to the clone. */
  pristineConfigPath?: string;
  onTamper?: (evidence: TamperEvidence) => void;
}

/** The default place of a workspace's pristine git config: next to the clone, not in it. */
export function pristineConfigPath(dir: string): string {
  return `${dir}.gitconfig`;
}

/** The handle for the workspace gaffer created at `dir` (with the same pristine config path). */
export function workspaceAt(dir: string, opts: WorkspaceHandleOptions = {}): Workspace {
  return {
    dir,
    pristineConfigPath: opts.pristineConfigPath ?? pristineConfigPath(dir),
    indexPath: `${opts.pristineConfigPath ?? pristineConfigPath(dir)}.index`,
    onTamper: opts.onTamper,
  };
}

/**
 * Checks what git would read from the workspace before gaffer runs it there: `.git` must be a
 * real directory without a `commondir` redirect; where git reads and writes its own files (HEAD,
 * the index, refs, logs, objects…) there must be only directories and regular files — a symlink
 * would lead git's writes outside, a FIFO would block it; no replace refs or grafts may swap
 * objects; the alternates must be the ones gaffer wrote; and `.git/config` must equal the
 * pristine copy. A changed config is moved aside as evidence and the pristine one put back.
 * Everything is checked with lstat and directory listings, never by opening a planted file.
 */
export async function verifyWorkspace(ws: Workspace): Promise<void> {
  const gitDir = join(ws.dir, ".git");
  if ((await entryKind(gitDir)) !== "directory") {
    throw tampered(`${gitDir} is not a directory (a gitdir file, a symlink, or missing)`);
  }
  if ((await entryKind(join(gitDir, "commondir"))) !== "missing") {
    throw tampered(`${gitDir}/commondir exists and would point git at another repository`);
  }
  await checkGitFiles(gitDir);
  await checkAlternates(ws, gitDir);
  await restoreConfigIfChanged(ws, join(gitDir, "config"));
}

const CONFIG_MAX_BYTES = 1024 * 1024;
/** Files git reads or writes at the top of `.git`: each, when present, must be a regular file. */
const GIT_FILES = [
  "HEAD",
  "index",
  "packed-refs",
  "COMMIT_EDITMSG",
  "ORIG_HEAD",
  "FETCH_HEAD",
  "MERGE_HEAD",
  "MERGE_MSG",
  "CHERRY_PICK_HEAD",
  "REVERT_HEAD",
  "AUTO_MERGE",
  "shallow",
  "objects/info/alternates",
];
/** Directories git walks or writes into: only directories and regular files may be inside. */
const GIT_TREES = ["refs", "logs", "objects"];
/** More entries than any workspace gaffer made would hold: the walk stops there. */
const MAX_ENTRIES = 500_000;
const MAX_PACKED_REFS_BYTES = 64 * 1024 * 1024;

async function checkGitFiles(gitDir: string): Promise<void> {
  for (const name of GIT_FILES) {
    const kind = await entryKind(join(gitDir, name));
    if (kind !== "missing" && kind !== "file") throw tampered(`${gitDir}/${name} is not a regular file`);
  }
  if ((await entryKind(join(gitDir, "HEAD"))) !== "file") throw tampered(`${gitDir}/HEAD is missing`);
  const budget = { left: MAX_ENTRIES };
  for (const name of GIT_TREES) await checkTree(join(gitDir, name), budget);
  if ((await entryKind(join(gitDir, "refs", "replace"))) !== "missing" || (await packsReplaceRefs(gitDir))) {
    throw tampered(`${gitDir} has replace refs, which would swap one object for another`);
  }
  if ((await entryKind(join(gitDir, "info", "grafts"))) !== "missing") {
    throw tampered(`${gitDir}/info/grafts exists and would rewrite commits' parents`);
  }
}

async function checkTree(dir: string, budget: { left: number }): Promise<void> {
  const kind = await entryKind(dir);
  if (kind === "missing") return;
  if (kind !== "directory") throw tampered(`${dir} is not a directory`);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (--budget.left < 0) throw tampered(`${dir} holds more than ${MAX_ENTRIES} entries`);
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await checkTree(path, budget);
    else if (!entry.isFile()) throw tampered(`${path} is not a regular file or a directory`);
  }
}

/** Whether `packed-refs` (a regular file by now) names a replace ref. */
async function packsReplaceRefs(gitDir: string): Promise<boolean> {
  const path = join(gitDir, "packed-refs");
  const stat = await lstat(path).catch(() => undefined);
  if (!stat?.isFile()) return false;
  if (stat.size > MAX_PACKED_REFS_BYTES) throw tampered(`${path} is larger than any gaffer expects`);
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    return (await handle.readFile("utf8")).includes(" refs/replace/");
  } finally {
    await handle.close();
  }
}

/** The alternates must be those gaffer's clone wrote (kept next to the pristine config), if kept. */
async function checkAlternates(ws: Workspace, gitDir: string): Promise<void> {
  const expected = await readFile(pristineAlternatesPath(ws)).catch(() => undefined);
  if (!expected) return;
  const path = join(gitDir, "objects", "info", "alternates");
  const read = readAgentFile(path, { maxBytes: 64 * 1024, within: ws.dir });
  const found = read.ok ? read.data : undefined;
  if (!found?.equals(expected)) throw tampered(`${path} is not the one gaffer wrote`);
}

/** Where createWorkspace keeps a copy of the clone's alternates. */
export function pristineAlternatesPath(ws: Workspace): string {
  return `${ws.pristineConfigPath}.alternates`;
}

/** Removes a workspace and what gaffer keeps beside it. */
export async function removeWorkspace(ws: Workspace): Promise<void> {
  await rm(ws.dir, { recursive: true, force: true });
  await removeGafferCopies(ws);
}

/** Removes what gaffer keeps beside a workspace: its pristine config, its index, its alternates' copy. */
export async function removeGafferCopies(ws: Workspace): Promise<void> {
  await rm(ws.pristineConfigPath, { force: true });
  await rm(ws.indexPath, { force: true });
  await rm(pristineAlternatesPath(ws), { force: true });
}

async function restoreConfigIfChanged(ws: Workspace, configPath: string): Promise<void> {
  const pristine = await readPristine(ws);
  // Not followed, never blocking, capped: anything but a small regular file counts as changed.
  const read = readAgentFile(configPath, { maxBytes: CONFIG_MAX_BYTES, within: ws.dir });
  const found = read.ok ? read.data : null;
  if (found?.equals(pristine)) return;
  const detectedAt = Date.now();
  const savedAs = `${ws.pristineConfigPath}.tampered-${detectedAt}`;
  const moved = await rename(configPath, savedAs).then(
    () => true,
    () => false,
  );
  await copyFile(ws.pristineConfigPath, configPath, constants.COPYFILE_EXCL);
  const evidence: TamperEvidence = {
    workspace: ws.dir,
    file: configPath,
    savedAs: moved ? savedAs : null,
    expectedSha256: sha256(pristine),
    foundSha256: found ? sha256(found) : null,
    detectedAt,
  };
  if (!ws.onTamper) {
    throw tampered(
      `${configPath} was changed; gaffer restored it (evidence: ${evidence.savedAs ?? "file deleted"})`,
    );
  }
  ws.onTamper(evidence);
}

async function readPristine(ws: Workspace): Promise<Buffer> {
  try {
    return await readFile(ws.pristineConfigPath);
  } catch {
    throw new GafferError(
      "workspace-tampered",
      `${ws.dir} has no pristine git config at ${ws.pristineConfigPath}, so it is not a workspace gaffer can trust`,
      "discard the run, or recreate its workspace",
    );
  }
}

async function entryKind(path: string): Promise<"missing" | "file" | "directory" | "other"> {
  try {
    const stat = await lstat(path);
    if (stat.isFile()) return "file";
    return stat.isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function tampered(message: string): GafferError {
  return new GafferError(
    "workspace-tampered",
    message,
    "the run's workspace cannot be trusted; inspect it by hand",
  );
}
