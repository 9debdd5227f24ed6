import type { AgentSession, PromptRequest, TurnResult } from "../types.ts";
import type { ProcessResult } from "../../util/index.ts";

/** Runs one turn as one process; the signal aborts it (its process group is killed). */
export type TurnRunner = (request: PromptRequest, signal: AbortSignal) => Promise<TurnResult>;

/** A session whose every turn is a fresh process: a CLI run once per prompt. */
export class ProcessSession implements AgentSession {
  readonly #runTurn: TurnRunner;
  #abort: AbortController | undefined;
  #running: Promise<TurnResult> | undefined;

  constructor(runTurn: TurnRunner) {
    this.#runTurn = runTurn;
  }

  async prompt(request: PromptRequest): Promise<TurnResult> {
    this.#abort = new AbortController();
    this.#running = this.#runTurn(request, this.#abort.signal);
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /** Kills the turn's process group (SIGTERM, then SIGKILL) and waits for the turn to end. */
  async cancel(): Promise<void> {
    this.#abort?.abort();
    await this.#running;
  }

  async close(): Promise<void> {
    await this.cancel();
  }
}

/** Lets a wrapper script see which attempt it is on, as an ACP agent sees `_meta.gaffer`. */
export function attemptEnv(request: PromptRequest): Record<string, string> {
  return {
    GAFFER_ATTEMPT: String(request.attempt),
    GAFFER_RUN_ID: String(request.runId),
    GAFFER_ITEM_ID: String(request.itemId),
  };
}

/** How a turn ended, judged by its process alone: exit code 0 is `end_turn`. */
export function processTurnResult(program: string, result: ProcessResult): TurnResult {
  if (result.spawnError)
    return {
      stopReason: "error",
      error: `agent command cannot be started: ${program}: ${result.spawnError}`,
    };
  if (result.timedOut) return { stopReason: "timeout" };
  if (result.cancelled) return { stopReason: "cancelled" };
  if (result.exitCode === 0) return { stopReason: "end_turn" };
  const how =
    result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const killedBy = killingSignal(result.exitCode, result.signal);
  return { stopReason: "error", error: `agent command ${how}`, ...(killedBy && { killedBy }) };
}

/**
 * The signal that killed a process, if one did: its own, or SIGKILL reported as exit code 137 by
 * a shell or bubblewrap between gaffer and the agent (they exit 128 + the signal's number).
 */
export function killingSignal(exitCode: number | null, signal: string | null): string | undefined {
  if (signal !== null) return signal;
  return exitCode === 128 + 9 ? "SIGKILL" : undefined;
}
