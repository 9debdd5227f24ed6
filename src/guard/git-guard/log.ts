import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { readAgentFile, type Refusal, unsafeFileError, writeFreshFile } from "../../util/index.ts";

/** One line of the guard log, written by the wrapper or a guard hook. */
export interface GuardDenial {
  /** The rule, e.g. "git push"; "ref update" from reference-transaction; "git checkout" from post-checkout. */
  rule: string;
  /** The wrapper's git arguments; a hook's arguments; for reference-transaction, the refused refs. */
  argv: string[];
  cwd: string;
  /** Milliseconds since the epoch. */
  at: number;
  by: "wrapper" | "pre-push" | "post-checkout" | "reference-transaction";
  /** false only for post-checkout, which cannot refuse: it records a checkout that happened. */
  refused: boolean;
}

const WRITERS = new Set(["wrapper", "pre-push", "post-checkout", "reference-transaction"]);

/** Far more than a run's denials ever take; a log past it was flooded. */
export const GUARD_LOG_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The guard log's entries, oldest first; [] when there is none. The agent can write the log too,
 * so a line that is not a well-formed entry (or a half-written last line) is skipped, and the
 * file is read as hostile: a symlink, FIFO or anything but a regular file of at most
 * GUARD_LOG_MAX_BYTES throws GafferError("workspace-tampered").
 */
export function guardLogEntries(logFile: string): GuardDenial[] {
  const read = readAgentFile(logFile, { maxBytes: GUARD_LOG_MAX_BYTES });
  if (!read.ok) {
    if (read.reason === "missing") return [];
    throw unsafeFileError(logFile, read.reason);
  }
  return read.data
    .toString("utf8")
    .split("\n")
    .flatMap((line) => {
      const entry = parse(line);
      return entry ? [entry] : [];
    });
}

/**
 * Makes the guard log a regular file gaffer itself created, keeping its entries when it was one
 * already (a resumed run). Whatever else an agent left there (a symlink, a FIFO, a directory, a
 * flood) is replaced, not followed; the returned refusal says what it was.
 */
export function prepareGuardLog(logFile: string): Refusal | undefined {
  mkdirSync(dirname(logFile), { recursive: true });
  const read = readAgentFile(logFile, { maxBytes: GUARD_LOG_MAX_BYTES });
  writeFreshFile(logFile, read.ok ? read.data : "", { within: dirname(logFile) });
  return read.ok || read.reason === "missing" ? undefined : read.reason;
}

function parse(line: string): GuardDenial | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const entry = value as Partial<GuardDenial> | null;
  const wellFormed =
    typeof entry?.rule === "string" &&
    Array.isArray(entry.argv) &&
    entry.argv.every((arg) => typeof arg === "string") &&
    typeof entry.cwd === "string" &&
    typeof entry.at === "number" &&
    WRITERS.has(entry.by as string) &&
    typeof entry.refused === "boolean";
  return wellFormed ? (entry as GuardDenial) : undefined;
}
