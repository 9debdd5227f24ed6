import { compressFailure, failureSignature, type GateExecution, type GateOutcome } from "../gate/index.ts";
import type { RunGoal } from "../store/index.ts";

/** Whether a gate met the run's goal; on a miss, what the next attempt is told and how to tell misses apart. */
export interface GateVerdict {
  met: boolean;
  feedback?: string;
  failureHash?: string;
}

const TAIL_LINES = 40;

/**
 * A green run's gate must pass. A red run's must fail, and fail as tests do: a command that ran
 * and exited non-zero, none cut short by a timeout or a signal, so a broken harness proves nothing.
 */
export function gateVerdict(outcome: GateOutcome, goal: RunGoal, feedbackBytes: number): GateVerdict {
  const { executions } = outcome;
  if (goal === "green") {
    return outcome.passed
      ? { met: true }
      : {
          met: false,
          feedback: compressFailure(executions, { maxBytes: feedbackBytes }),
          failureHash: failureSignature(executions),
        };
  }
  if (provesRed(executions)) return { met: true };
  return {
    met: false,
    feedback: redMiss(executions, feedbackBytes),
    failureHash: failureSignature(executions.map((execution) => ({ ...execution, passed: false }))),
  };
}

function provesRed(executions: readonly GateExecution[]): boolean {
  const cleanExit = (e: GateExecution) => !e.timedOut && e.signal === null && !e.notFound;
  return executions.every(cleanExit) && executions.some((e) => e.exitCode !== null && e.exitCode !== 0);
}

/** Why a red run's gate proved nothing, with each command's last lines, at most `maxBytes`. */
function redMiss(executions: readonly GateExecution[], maxBytes: number): string {
  const intro = "The tests must fail before the task is implemented, and gaffer's run of them did not fail:";
  const outro = "Write tests for the task that fail until it is implemented; do not implement it yet.";
  const body = executions.flatMap((execution) => {
    const output = execution.output.replace(/\s+$/, "");
    return [
      "",
      `gate step "${execution.name}" ${outcomeOf(execution)}: ${execution.command}`,
      ...(output === "" ? [] : output.split("\n").slice(-TAIL_LINES)),
    ];
  });
  const room = maxBytes - Buffer.byteLength(`${intro}\n\n${outro}`);
  const kept = Buffer.from(body.join("\n")).subarray(0, Math.max(0, room)).toString("utf8");
  return [intro, kept.replace(/\uFFFD$/, ""), "", outro].join("\n");
}

function outcomeOf(execution: GateExecution): string {
  if (execution.notFound) return "could not start";
  if (execution.timedOut) return "timed out";
  if (execution.exitCode === null) return `was killed by ${execution.signal ?? "a signal"}`;
  return execution.exitCode === 0 ? "passed" : `exited ${execution.exitCode}`;
}
