import type { Role } from "../config/index.ts";
import type { EventDef, EventName } from "../store/index.ts";
import type { PlanState } from "./plan-state.ts";

/**
 * What the planner asks the supervisor to do. The supervisor performs them in order; none of them
 * decides anything.
 */
export type SupervisorAction =
  /** Appends an event to the store (its item and run taken from `data.item` and `data.run`). */
  | { kind: "record"; type: EventName; data: object }
  /** Removes the claims whose lease lapsed by now, so their items are ready again. */
  | { kind: "expire-claims" }
  /** Marks every active run whose process is gone as interrupted, so it resumes. */
  | { kind: "recover-runs" }
  /** Gives an item back: the holder's claim on it goes. */
  | { kind: "release-claim"; itemId: number; holder: string; reason: string }
  /**
   * Claims an item for a role and starts a worker process on it; nothing starts when the claim
   * is taken meanwhile. Without `itemId`, a task role's own item is filed from its prompt first.
   */
  | {
      kind: "start-worker";
      role: Role;
      duty: "build" | "review";
      itemId: number | undefined;
      /** A review's proposed run. */
      runId: number | undefined;
      name: string;
      holder: string;
    }
  /** Starts a persistent role's one process; it claims its items itself under `holder`. */
  | { kind: "start-persistent"; role: Role; name: string; holder: string }
  /** Starts a service's command. */
  | { kind: "start-service"; role: Role; name: string; command: string }
  /** Opens a tmux session that follows a persistent role's log. */
  | { kind: "open-view"; session: string }
  /** Asks a stalled agent, through its role process, to start its turn over. */
  | { kind: "nudge"; name: string }
  /** Stops a role process: SIGTERM (its run is cancelled, its workspace kept), SIGKILL after a grace period. */
  | { kind: "stop-child"; name: string }
  /** Ends the item's latest run as given up, with a failure report. */
  | { kind: "give-up-run"; itemId: number; reason: string }
  /** Executes or expires the vault's medium actions whose review window ended. */
  | { kind: "settle-vault" };

/** A planning step's outcome: the supervisor's next state, and what to do. */
export interface Plan {
  state: PlanState;
  actions: SupervisorAction[];
}

export function record<N extends EventName, P extends object>(
  def: EventDef<N, P>,
  data: P,
): SupervisorAction {
  return { kind: "record", type: def.name, data };
}
