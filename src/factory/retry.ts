import { type Db, EVENTS, eventsOfRuns, type FailureCause } from "../store/index.ts";

/** A failed run, as far as retrying it goes. */
export interface RunFailure {
  /** Who its latest failure is down to; a failure recorded before causes were is the agent's. */
  cause: FailureCause;
  /** How many times the factory has dispatched it again already. */
  retries: number;
}

/** The failure record of each of `runIds` (failed runs), by run id. */
export async function readFailures(db: Db, runIds: readonly number[]): Promise<Map<number, RunFailure>> {
  const failures = new Map<number, RunFailure>();
  for (const event of await eventsOfRuns(db, runIds, [EVENTS.runFailed, EVENTS.itemRetrying])) {
    const runId = event.runId;
    if (runId === null) continue;
    const failure = failures.get(runId) ?? { cause: "agent", retries: 0 };
    if (event.type === EVENTS.itemRetrying.name) failure.retries += 1;
    else if (event.type === EVENTS.runFailed.name)
      // A failure recorded before causes were has none: it is the agent's.
      failure.cause = event.data.cause === "infrastructure" ? "infrastructure" : "agent";
    failures.set(runId, failure);
  }
  return failures;
}
