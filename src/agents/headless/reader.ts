import { processTurnResult } from "../process/session.ts";
import type { AgentUpdate, TurnResult } from "../types.ts";
import { addUsage, parseEvent, type StreamParser, type TurnSummary, type Usage } from "./stream.ts";
import type { ProcessResult } from "../../util/index.ts";

/**
 * Reads one turn's output: each stdout line through the format's parser, stderr as plain output.
 * Usage is reported cumulatively for the session, each time the stream's usage changes, so the last
 * usage update of a turn carries the session's totals.
 */
export class StreamReader {
  readonly #parser: StreamParser;
  readonly #emit: (update: AgentUpdate) => void;
  readonly #before: Usage | undefined;
  #summary: TurnSummary = {};
  #lastStderr: string | undefined;

  /** `before`: what earlier turns of the session used. */
  constructor(parser: StreamParser, emit: (update: AgentUpdate) => void, before: Usage | undefined) {
    this.#parser = parser;
    this.#emit = emit;
    this.#before = before;
  }

  stdoutLine(line: string): void {
    if (!line.trim()) return;
    const event = parseEvent(line);
    if (!event) return this.#emit({ kind: "output", text: line });
    for (const update of this.#parser.updates(event)) this.#emit(update);
    const previous = this.#summary.usage;
    this.#summary = this.#parser.summarize(this.#summary, event);
    if (this.#summary.usage !== previous) this.#emit({ kind: "usage", ...this.sessionUsage });
  }

  stderrLine(line: string): void {
    if (!line.trim()) return;
    this.#lastStderr = line;
    this.#emit({ kind: "output", text: line });
  }

  /** The session's usage including this turn so far. */
  get sessionUsage(): Usage | undefined {
    const turn = this.#summary.usage;
    return turn ? addUsage(this.#before, turn) : this.#before;
  }

  /** The turn's end: the process's, refined by what the stream said. */
  turnResult(program: string, result: ProcessResult): TurnResult {
    const ended = processTurnResult(program, result);
    const { stopReason, error } = this.#summary;
    if (ended.stopReason === "end_turn") {
      if (stopReason !== "error") return { stopReason: stopReason ?? "end_turn" };
      return { stopReason, error: error ?? "the agent reported an error" };
    }
    if (ended.stopReason !== "error" || result.spawnError) return ended;
    return {
      stopReason: "error",
      error: error ?? this.#lastStderr ?? ended.error ?? "agent command failed",
      ...(ended.killedBy && { killedBy: ended.killedBy }),
    };
  }
}
