import type { ErrorCode } from "../errors.ts";
import { isGafferError } from "../errors.ts";
import type { FailureCause } from "../store/index.ts";

/** The agent's process was killed by a signal gaffer did not send: the machine ended its turn. */
export class AgentKilled extends Error {
  readonly signal: string;

  constructor(signal: string) {
    super(`the agent's process was killed by ${signal}`);
    this.name = "AgentKilled";
    this.signal = signal;
  }
}

/** gaffer's errors that say the machine could not carry the run, whatever the agent did. */
const INFRASTRUCTURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "sandbox-unavailable",
  "store-unavailable",
]);

/** System errors of a machine short of disk, memory or file handles, or whose disk failed. */
const INFRASTRUCTURE_ERRNOS: ReadonlySet<string> = new Set([
  "ENOSPC",
  "EDQUOT",
  "EIO",
  "ENOMEM",
  "EMFILE",
  "ENFILE",
]);

/**
 * Who the error that failed a run is down to, read from the error and its causes: anything not
 * known to be the machine's is the agent's, so a run is retried only for a failure it did not cause.
 */
export function failureCause(error: unknown): FailureCause {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current instanceof AgentKilled) return "infrastructure";
    if (isGafferError(current)) {
      if (INFRASTRUCTURE_CODES.has(current.code)) return "infrastructure";
      continue;
    }
    const errno = (current as NodeJS.ErrnoException).code;
    if (typeof errno === "string" && INFRASTRUCTURE_ERRNOS.has(errno)) return "infrastructure";
  }
  return "agent";
}
