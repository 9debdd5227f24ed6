import { GafferError } from "../errors.ts";
import type { GateExecution } from "../gate/index.ts";
import { EVENTS, eventsOfKind, listEvents, type Run } from "../store/index.ts";
import type { StepContext } from "./step-context.ts";

/** Kills from outside one attempt's gate may take before the run stops trying it again. */
const MAX_GATE_KILLS = 3;

/**
 * A gate command that SIGKILL ended without gaffer sending it (the OOM killer, a `kill -9`) says
 * nothing about the agent's work, so the attempt is not charged: the kill is recorded as
 * a gate-killed event and the step throws an `infrastructure` error, on which the run is interrupted
 * and the factory or `--resume` runs the same gate again. When the same attempt's gate is killed
 * again and again, something keeps killing it (maybe the code under test): the run then fails
 * instead of retrying for ever.
 */
export async function refuseKilledGate(
  context: StepContext,
  run: Run,
  attempt: number,
  killed: GateExecution,
): Promise<never> {
  const events = await listEvents(context.project.store.db, { runId: run.id });
  const kills = 1 + eventsOfKind(events, EVENTS.gateKilled).filter((e) => e.data.attempt === attempt).length;
  await context.recorder.event(EVENTS.gateKilled, {
    attempt,
    name: killed.name,
    signal: killed.signal,
    exitCode: killed.exitCode,
    durationMs: killed.durationMs,
    kills,
  });
  const what = `gate step "${killed.name}" was killed by SIGKILL, which gaffer did not send`;
  if (kills >= MAX_GATE_KILLS) {
    throw new GafferError(
      "gate-unavailable",
      `${what}, ${kills} times on attempt ${attempt}`,
      `something keeps killing it (the OOM killer? see \`dmesg\`); once fixed: gaffer run ${run.itemId} --resume`,
    );
  }
  throw new GafferError(
    "infrastructure",
    `${what} (the OOM killer, or a kill from outside): not a red gate, and the attempt is not charged`,
    `the factory resumes the run, as does \`gaffer run ${run.itemId} --resume\``,
  );
}
