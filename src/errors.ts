/**
 * Every failure a user can cause or fix is a GafferError: a stable `code` to branch on,
 * a one-line message naming what and where, and a hint saying how to fix it.
 * The CLI's single top-level handler turns it into one line and an exit code.
 */
export type ErrorCode =
  | "usage" // bad command-line arguments
  | "config-invalid" // gaffer.toml does not parse or validate
  | "not-a-repo" // the directory is not a git repository
  | "no-commits" // the repository has no commit to branch from
  | "not-initialized" // no gaffer.toml / .gaffer here
  | "item-not-found"
  | "run-not-found"
  | "invalid-input" // a file the user gave (issue, scenario) does not parse
  | "agent-unknown" // no agent preset by that name
  | "agent-unavailable" // the agent's program cannot be started
  | "no-agent" // a Module-25 command has no agent: no --simulate, no AGENT_CMD
  | "agent-failed" // the agent crashed or broke protocol mid-run
  | "gate-unavailable" // a gate command cannot be started
  | "run-state" // the run is not in a state that allows the request
  | "lease-lost" // another process changed the run under us
  | "git-failed"
  | "workspace-tampered" // the agent changed something gaffer relies on
  | "sandbox-unavailable" // sandbox = "required" and no sandbox can be made here
  | "limit-exceeded" // a run went past one of its [limits] or a [budget]
  | "integrity" // gaffer's post-run verification blocked the proposal
  | "store-outdated" // the store needs `gaffer upgrade` before a read command can use it
  | "store-unavailable" // the store cannot be written or read: a full disk, a read-only or damaged file
  | "daemon-running" // another supervisor owns this project or its session namespace
  | "infrastructure" // the machine, not the agent, stopped the run (a gate command killed from outside)
  | "tracker-auth" // the forge refused the credentials, or they lack a scope or permission
  | "tracker-unavailable" // the forge did not answer, or kept failing or throttling past the retries
  | "plan-limit" // the model provider's plan limit, quota or credit stopped the run until its reset
  | "model-login" // the user's own agent login (ChatGPT, Google) is missing, malformed or cannot be refreshed
  | "cancelled";

/** Exit codes follow sysexits.h for usage and config problems; run outcomes use 0, 1 and 2. */
export const EXIT = {
  proposal: 0,
  failed: 1,
  gaveUp: 2,
  usage: 64,
  dataErr: 65,
  noInput: 66,
  unavailable: 69,
  software: 70,
  ioErr: 74,
  /** EX_TEMPFAIL: the machine failed the run, not the agent; resuming it may well succeed. */
  tempFail: 75,
  config: 78,
  interrupted: 130,
} as const;

const exitByCode: Record<ErrorCode, number> = {
  usage: EXIT.usage,
  "config-invalid": EXIT.config,
  "not-a-repo": EXIT.usage,
  "no-commits": EXIT.dataErr,
  "not-initialized": EXIT.config,
  "item-not-found": EXIT.noInput,
  "run-not-found": EXIT.noInput,
  "invalid-input": EXIT.dataErr,
  "agent-unknown": EXIT.config,
  "agent-unavailable": EXIT.unavailable,
  // The Module-25 runner exits 1 here, and its users' scripts read that.
  "no-agent": EXIT.failed,
  "agent-failed": EXIT.failed,
  "gate-unavailable": EXIT.config,
  "run-state": EXIT.usage,
  "lease-lost": EXIT.software,
  "git-failed": EXIT.software,
  "workspace-tampered": EXIT.failed,
  "sandbox-unavailable": EXIT.unavailable,
  "limit-exceeded": EXIT.failed,
  integrity: EXIT.failed,
  "store-outdated": EXIT.config,
  "store-unavailable": EXIT.ioErr,
  "daemon-running": EXIT.unavailable,
  infrastructure: EXIT.tempFail,
  "tracker-auth": EXIT.config,
  "tracker-unavailable": EXIT.unavailable,
  "plan-limit": EXIT.tempFail,
  "model-login": EXIT.config,
  cancelled: EXIT.interrupted,
};

export class GafferError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "GafferError";
    this.code = code;
    this.hint = hint;
  }

  get exitCode(): number {
    return exitByCode[this.code];
  }
}

export function isGafferError(error: unknown): error is GafferError {
  return error instanceof GafferError;
}

/** The message of anything thrown, for places that must not throw again. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
