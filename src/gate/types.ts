/** A gate step as configured: gaffer runs `run` through /bin/sh in the workspace. */
export interface GateCommand {
  name: string;
  run: string;
  timeoutMs: number;
}

/** What gaffer observed running one gate command: the only evidence of success there is. */
export interface GateExecution {
  name: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The command could not be started, or the shell reported 127 (command not found). */
  notFound: boolean;
  /**
   * SIGKILL ended it (or, as its shell or sandbox reports it, what it ran), and gaffer sent none:
   * the OOM killer or a `kill -9` from outside. Evidence of the machine, not of the code.
   */
  killedFromOutside: boolean;
  durationMs: number;
  /** Output capped for the store (head and tail kept). */
  output: string;
  outputBytes: number;
  /** sha256 of the full output, as written to logPath. */
  outputSha256: string;
  logPath: string;
  passed: boolean;
}

export interface GateOutcome {
  passed: boolean;
  executions: GateExecution[];
}
