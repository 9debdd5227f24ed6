import { randomUUID } from "node:crypto";
import { lstat, realpath, rename, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import * as acp from "@agentclientprotocol/sdk";
import type { AgentUpdate } from "../types.ts";
import type { Place } from "./tool-access.ts";
import { readAgentFile, realDirectory, writeFreshFile } from "../../util/index.ts";

/** The biggest file the agent reads through gaffer; a bigger one is refused, never read in part. */
const ACP_READ_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The ACP `fs/*` handlers, confined to one workspace. Paths are resolved through realpath
 * (for writes, of the nearest existing parent), so neither `..` nor a symlink leads outside.
 * Files are read and written at their resolved path, never at the path the agent gave, and as
 * hostile files: a read never follows a symlink, blocks on a FIFO or takes more than
 * ACP_READ_MAX_BYTES; a write creates a new file and renames it into place.
 */
export class WorkspaceFs {
  readonly #root: string;
  readonly #onUpdate: (update: AgentUpdate) => void;

  /** `root` must already be a realpath. */
  constructor(root: string, onUpdate: (update: AgentUpdate) => void) {
    this.#root = root;
    this.#onUpdate = onUpdate;
  }

  async read(params: acp.ReadTextFileRequest): Promise<acp.ReadTextFileResponse> {
    const target = await this.#resolve(params.path, "read");
    const read = readAgentFile(target, { maxBytes: ACP_READ_MAX_BYTES, within: this.#root });
    if (!read.ok) {
      if (read.reason === "missing")
        throw acp.RequestError.resourceNotFound(`file://${params.path} (ENOENT)`);
      throw this.#deny(
        params.path,
        "read",
        `not a regular file of at most ${ACP_READ_MAX_BYTES / 1024 / 1024} MiB (${read.reason})`,
      );
    }
    const content = read.data.toString("utf8");
    this.#onUpdate({ kind: "file-read", path: this.#display(target) });
    return { content: selectLines(content, params.line, params.limit) };
  }

  async write(params: acp.WriteTextFileRequest): Promise<acp.WriteTextFileResponse> {
    const target = await this.#resolve(params.path, "write");
    if (this.#inGitDir(target)) throw this.#deny(params.path, "write", "inside .git");
    try {
      realDirectory(this.#root, dirname(target));
    } catch (error) {
      throw this.#deny(params.path, "write", (error as Error).message);
    }
    await this.#writeAtomically(target, params.content);
    this.#onUpdate({
      kind: "file-write",
      path: this.#display(target),
      bytes: Buffer.byteLength(params.content),
    });
    return {};
  }

  /** The realpath of a directory for a terminal, or an error when it is outside the workspace. */
  async directory(path: string | null | undefined): Promise<string> {
    if (!path) return this.#root;
    const real = await realpath(this.#absolute(path)).catch(() => undefined);
    if (real === undefined || !this.#contains(real)) {
      throw acp.RequestError.invalidParams(
        { cwd: path },
        `terminal cwd must be inside the workspace: ${path}`,
      );
    }
    return real;
  }

  /** Where `path` lands, resolved like a read or write would be; nothing is reported. */
  async place(path: string): Promise<Place> {
    const real = await realpathOfNearest(this.#absolute(path)).catch(() => undefined);
    if (real === undefined) return "unresolvable";
    if (!this.#contains(real)) return "outside";
    return this.#inGitDir(real) ? "git-dir" : "inside";
  }

  async #resolve(path: string, operation: "read" | "write"): Promise<string> {
    let real: string;
    try {
      real = await realpathOfNearest(this.#absolute(path));
    } catch (error) {
      throw this.#deny(
        path,
        operation,
        `cannot resolve path (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    if (!this.#contains(real)) throw this.#deny(path, operation, "outside the workspace");
    return real;
  }

  #deny(path: string, operation: "read" | "write", reason: string): acp.RequestError {
    this.#onUpdate({ kind: "file-denied", path, operation, reason });
    return acp.RequestError.invalidParams({ path }, `${operation} of ${path} denied: ${reason}`);
  }

  /**
   * Writes through a temporary file in `.git/` and a rename, so a crash never leaves a half-written
   * file in the worktree, nor a stray temporary file that could end up in a proposal.
   */
  async #writeAtomically(target: string, content: string): Promise<void> {
    const gitDir = join(this.#root, ".git");
    const scratch = (await lstat(gitDir).catch(() => undefined))?.isDirectory() ? gitDir : dirname(target);
    const temporary = join(scratch, `.gaffer-write-${randomUUID()}`);
    const existing = await lstat(target).catch(() => undefined);
    try {
      writeFreshFile(temporary, content, {
        within: scratch,
        ...(existing?.isFile() && { mode: existing.mode & 0o777 }),
      });
      await rename(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  #inGitDir(real: string): boolean {
    const gitDir = join(this.#root, ".git");
    return real === gitDir || real.startsWith(gitDir + sep);
  }

  /** Not normalised: `link/..` must reach realpath as it is, to be resolved through the link. */
  #absolute(path: string): string {
    return isAbsolute(path) ? path : `${this.#root}/${path}`;
  }

  #contains(real: string): boolean {
    return real === this.#root || real.startsWith(this.#root + sep);
  }

  #display(real: string): string {
    return relative(this.#root, real) || ".";
  }
}

/**
 * realpath of the nearest existing ancestor, plus the parts that do not exist yet. Reads use it
 * too, so a missing file outside the workspace is denied rather than reported as missing.
 */
async function realpathOfNearest(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      // A dangling symlink would make writeFile create its target, wherever that is.
      if ((await lstat(current).catch(() => undefined))?.isSymbolicLink()) {
        throw Object.assign(new Error("dangling symlink"), { code: "dangling symlink" });
      }
      const parent = dirname(current);
      if (parent === current) throw error;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** ACP `line` is 1-based; `limit` is a number of lines. */
function selectLines(
  content: string,
  line: number | null | undefined,
  limit: number | null | undefined,
): string {
  if (!line && !limit) return content;
  const start = Math.max((line ?? 1) - 1, 0);
  const lines = content.split("\n");
  return lines.slice(start, limit ? start + limit : undefined).join("\n");
}
