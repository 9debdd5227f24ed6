import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  rmSync,
  type Stats,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { GafferError } from "../errors.ts";

/**
 * Files in a place an agent can write (its workspace and `.git`, its config and state dirs, the
 * guard log, its HOME and /tmp) are hostile: a symlink there leads to `/proc/self/environ` or the
 * project's `.env`, a FIFO freezes whoever opens it, a huge file eats memory. gaffer touches them
 * only through this module: reads never follow a symlink, never block and never take more than a
 * cap; writes only ever create a new file, in directories that are real directories.
 */

/** Why a path was not read: what is there instead of a regular file, or that it is too big. */
export type Refusal = "symlink" | "directory" | "file" | "fifo" | "socket" | "device" | "too-big" | "outside";

/** A file that is not there reads as "missing"; anything unsafe there is one of the refusals. */
export type AgentFileRead = { ok: true; data: Buffer } | { ok: false; reason: "missing" | Refusal };

type NotRead = Extract<AgentFileRead, { ok: false }>;

export interface ReadAgentFileOptions {
  /** The most bytes gaffer takes; a bigger file is refused as "too-big", never read in part. */
  maxBytes: number;
  /** A directory the file must really be inside: a symlinked parent leading out is "outside". */
  within?: string;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NOCTTY;
/** Where Linux shows what an open descriptor really is. */
const FD_DIR = "/proc/self/fd";
const READ_CHUNK = 1 << 16;

/**
 * Reads a file an agent may have planted or replaced: opened with O_NOFOLLOW (a symlink is
 * refused, not followed) and O_NONBLOCK (a FIFO cannot freeze gaffer), then fstat'ed: anything
 * but a regular file is refused, and so is one bigger than `maxBytes`.
 */
export function readAgentFile(path: string, options: ReadAgentFileOptions): AgentFileRead {
  const opened = openAgentFile(path, options.within);
  if (!opened.ok) return opened;
  const { fd } = opened;
  try {
    const stats = fstatSync(fd);
    const refusal = refusalOf(stats) ?? outsideRefusal(fd, options.within);
    if (refusal) return { ok: false, reason: refusal };
    return stats.size > options.maxBytes
      ? { ok: false, reason: "too-big" }
      : readCapped(fd, options.maxBytes);
  } finally {
    closeSync(fd);
  }
}

/** A GafferError for a refused read or write, naming the path and what was found there. */
export function unsafeFileError(path: string, reason: Refusal): GafferError {
  return new GafferError(
    "workspace-tampered",
    `${path} is ${REFUSAL_TEXT[reason]}; gaffer does not follow, read or write it`,
    "something in the run replaced a file gaffer uses; inspect the run's workspace and state before resuming",
  );
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  symlink: "a symbolic link",
  directory: "a directory",
  file: "a file where a directory belongs",
  fifo: "a FIFO",
  socket: "a socket",
  device: "a device",
  "too-big": "too big",
  outside: "outside the directory it belongs to",
};

export interface WriteFreshOptions {
  /**
   * A real directory gaffer made: every component between it and the file must be a real
   * directory (missing ones are created, a symlink is refused), and the file lands inside it.
   */
  within: string;
  /** Permission bits of the new file (not subject to the umask). 0o644 by default. */
  mode?: number;
}

/**
 * Writes `data` as a new file at `path`: whatever was there (a file, a symlink, a FIFO, a
 * directory) is removed without being followed, then the file is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW, so gaffer never writes through something an agent planted.
 */
export function writeFreshFile(path: string, data: string | Uint8Array, options: WriteFreshOptions): void {
  realDirectory(options.within, dirname(path));
  removeEntry(path);
  const mode = options.mode ?? 0o644;
  let fd: number;
  try {
    fd = openSync(path, CREATE_FLAGS, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw new GafferError(
      "workspace-tampered",
      `${path} was recreated while gaffer replaced it; gaffer does not write through it`,
      "something is still running in the run's sandbox; stop it before resuming",
    );
  }
  try {
    if (outsideRefusal(fd, options.within)) throw unsafeFileError(path, "outside");
    fchmodSync(fd, mode);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes sure `dir` (inside `within`) is a real directory, creating missing components one by one.
 * A component that is a symlink or anything but a directory is refused: gaffer never writes
 * through a path an agent redirected. `within` itself must be a real directory.
 */
export function realDirectory(within: string, dir: string): void {
  const path = relative(within, dir);
  if (path.startsWith("..") || isAbsolute(path)) throw unsafeFileError(dir, "outside");
  let current = within;
  for (const part of ["", ...path.split(sep).filter(Boolean)]) {
    current = part === "" ? within : `${current}${sep}${part}`;
    let stats = lstatSync(current, { throwIfNoEntry: false });
    if (stats === undefined) {
      mkdirSync(current);
      stats = lstatSync(current);
    }
    const refusal = stats.isDirectory() ? undefined : (refusalOf(stats) ?? "file");
    if (refusal) throw unsafeFileError(current, refusal);
  }
}

function openAgentFile(path: string, within: string | undefined): { ok: true; fd: number } | NotRead {
  if (within !== undefined) {
    const parents = parentRefusal(within, dirname(path));
    if (parents) return { ok: false, reason: parents };
  }
  try {
    return { ok: true, fd: openSync(path, READ_FLAGS) };
  } catch (error) {
    const reason = OPEN_ERRORS[(error as NodeJS.ErrnoException).code ?? ""];
    if (reason) return { ok: false, reason };
    throw error;
  }
}

const OPEN_ERRORS: Record<string, NotRead["reason"]> = {
  ENOENT: "missing",
  ENOTDIR: "missing",
  ELOOP: "symlink",
  // Opening a Unix socket fails with ENXIO; so does a FIFO opened for writing without a reader.
  ENXIO: "socket",
};

/** Whether a component between `within` and `dir` is missing, or not a real directory. */
function parentRefusal(within: string, dir: string): NotRead["reason"] | undefined {
  const path = relative(within, dir);
  if (path.startsWith("..") || isAbsolute(path)) return "outside";
  let current = within;
  for (const part of path.split(sep).filter(Boolean)) {
    current = `${current}${sep}${part}`;
    const stats = lstatSync(current, { throwIfNoEntry: false });
    if (stats === undefined) return "missing";
    if (!stats.isDirectory()) return stats.isSymbolicLink() ? "symlink" : "missing";
  }
  return undefined;
}

/**
 * Where the open descriptor really is, checked against `within` (Linux): closes the race in
 * which a parent directory is swapped for a symlink between the checks and the open.
 */
function outsideRefusal(fd: number, within: string | undefined): "outside" | undefined {
  if (within === undefined || !existsSync(FD_DIR)) return undefined;
  const real = readlinkSync(`${FD_DIR}/${fd}`);
  const root = realpathSync(within);
  return real.startsWith(root === sep ? sep : `${root}${sep}`) ? undefined : "outside";
}

function refusalOf(stats: Stats): Refusal | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isDirectory()) return "directory";
  if (stats.isFIFO()) return "fifo";
  if (stats.isSocket()) return "socket";
  return "device";
}

function readCapped(fd: number, maxBytes: number): AgentFileRead {
  // Read until EOF, not to fstat's size: the file may grow meanwhile, and the cap must still hold.
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(READ_CHUNK, maxBytes + 1 - length));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    length += read;
    if (length > maxBytes) return { ok: false, reason: "too-big" };
  }
  return { ok: true, data: Buffer.concat(chunks, length) };
}

/** Removes whatever is at `path` without following it; nothing there is fine. */
function removeEntry(path: string): void {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return;
  if (stats.isDirectory()) rmSync(path, { recursive: true, force: true });
  else unlinkSync(path);
}
