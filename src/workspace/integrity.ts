import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, lstat, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { readAgentFile } from "../util/safe-fs.ts";
import type { TamperEvidence, Workspace } from "./types.ts";

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
 * real directory without a `commondir` redirect, and `.git/config` must equal the pristine copy.
 * A changed config is moved aside as evidence and the pristine one put back.
 */
export async function verifyWorkspace(ws: Workspace): Promise<void> {
  const gitDir = join(ws.dir, ".git");
  if ((await entryKind(gitDir)) !== "directory") {
    throw tampered(`${gitDir} is not a directory (a gitdir file, a symlink, or missing)`);
  }
  if ((await entryKind(join(gitDir, "commondir"))) !== "missing") {
    throw tampered(`${gitDir}/commondir exists and would point git at another repository`);
  }
  await restoreConfigIfChanged(ws, join(gitDir, "config"));
}

const CONFIG_MAX_BYTES = 1024 * 1024;

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
