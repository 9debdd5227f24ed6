import { EXIT, isGafferError } from "../errors.ts";
import { printable } from "./printable.ts";

/** What a failed command prints (one line, with its hint) and the code it exits with. */
export interface ErrorReport {
  lines: string[];
  exitCode: number;
}

/**
 * A GafferError as its one line with the hint; anything else as an internal error, with the stack
 * under GAFFER_DEBUG. The CLI prints it to stderr; a worker hosting runs writes it to a task's log.
 */
export function errorReport(error: unknown): ErrorReport {
  if (isGafferError(error)) {
    const hint = error.hint ? ` — ${printable(error.hint)}` : "";
    return { lines: [`gaffer: ${printable(error.message)}${hint}`], exitCode: error.exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`gaffer: internal error: ${printable(message, "text")}`];
  if (process.env.GAFFER_DEBUG && error instanceof Error) lines.push(printable(error.stack ?? "", "text"));
  else lines.push("gaffer: set GAFFER_DEBUG=1 for the stack trace and report it with the command you ran");
  return { lines, exitCode: EXIT.software };
}
