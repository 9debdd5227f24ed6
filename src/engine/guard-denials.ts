import { guardLogEntries } from "../guard/index.ts";
import { countEvents, EVENTS, type Run } from "../store/index.ts";
import type { StepContext } from "./step-context.ts";

/** Which step's processes a denial came from: the agent's turn, the gate, or the setup steps. */
export type DenialStep = "agent" | "gate" | "setup";

/**
 * The git guard's denials since the last time it was read (it logs to a file the sandboxes let it
 * append to), as events of `attempt` and `step`: read after each step, so each denial is told
 * under the step that caused it.
 */
export async function recordGuardDenials(
  context: StepContext,
  run: Run,
  attempt: number,
  step: DenialStep,
  guardLog = context.confinement?.guardLog,
): Promise<void> {
  if (guardLog === undefined) return;
  const denials = guardLogEntries(guardLog);
  const db = context.project.store.db;
  const recorded = await countEvents(db, run.id, [EVENTS.guardDenied, EVENTS.guardNoted]);
  for (const entry of denials.slice(recorded)) {
    await context.recorder.event(entry.refused ? EVENTS.guardDenied : EVENTS.guardNoted, {
      attempt,
      step,
      ...entry,
    });
  }
}
