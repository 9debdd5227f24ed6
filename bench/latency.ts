import { EVENTS, type GafferEvent } from "../src/store/index.ts";
import type { Poll } from "./status-poller.ts";

/** A change `gaffer status --json` can show: a run appeared, or moved to another state. */
export interface RunChange {
  runId: number;
  type: string;
  /** The event's time, which is also the run's `updated_at` from then on. */
  at: number;
}

/**
 * The run changes among `events`: `run.created` and every state transition (the events whose data
 * names the new state). Each one sets the run's `updated_at` to the event's `at`, in the same
 * transaction, so a status snapshot reflects the change once it shows the run with an
 * `updated_at` at least that late.
 */
export function runChanges(events: GafferEvent[]): RunChange[] {
  return events
    .filter((e) => e.runId !== null && (e.type === EVENTS.runCreated.name || "state" in e.data))
    .map((e) => ({ runId: e.runId as number, type: e.type, at: e.at }));
}

/**
 * For each change, the delay from the event to the end of the first `status --json` whose output
 * reflects it. A snapshot reflects a run's change when it shows the run with `updated_at` at or
 * after the change; or when it leaves the run out although it shows a later run (status lists
 * active and resumable runs and the latest few finished ones, so such a run has finished: every
 * change of it is reflected). Changes no successful poll reflects are left out.
 */
export function statusLatencies(changes: RunChange[], polls: Poll[]): number[] {
  const views = polls
    .filter((p) => p.ok)
    .sort((a, b) => a.end - b.end)
    .map((p) => ({
      end: p.end,
      updated: new Map(p.runs.map(([id, , updatedAt]) => [id, updatedAt])),
      maxId: Math.max(0, ...p.runs.map(([id]) => id)),
    }));
  const latencies: number[] = [];
  for (const change of changes) {
    const seen = views.find((view) => {
      if (view.end < change.at) return false;
      const updatedAt = view.updated.get(change.runId);
      return updatedAt === undefined ? view.maxId > change.runId : updatedAt >= change.at;
    });
    if (seen) latencies.push(seen.end - change.at);
  }
  return latencies;
}
