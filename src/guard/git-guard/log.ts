import { readFileSync } from "node:fs";

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

/**
 * The guard log's entries, oldest first; [] when there is none. The agent can write the log too,
 * so a line that is not a well-formed entry (or a half-written last line) is skipped.
 */
export function guardLogEntries(logFile: string): GuardDenial[] {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text.split("\n").flatMap((line) => {
    const entry = parse(line);
    return entry ? [entry] : [];
  });
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
