import { type Db, type EventDef, type EventName, EVENTS, latestEventAt, listRuns } from "../store/index.ts";

/**
 * When a role's run counts as stalled, and what the supervisor does about it: first a nudge, then
 * a restart, then it gives up on the run with a failure report.
 */
export type StallAction = "nudge" | "restart" | "give-up";

export interface StallClock {
  /** The run's latest event of any kind: the agent's activity. */
  activityAt: number;
  /** Whether the agent is at work now: quiet only counts against the agent then. */
  agentWorking: boolean;
  /** The run's latest sign of progress: a turn ended, a gate step finished, a proposal. */
  progressAt: number;
  /** When the supervisor last acted on this run's stall (or the process started). */
  actedAt: number;
  /** How many times it acted already: 0, 1 (nudged) or 2 (restarted). */
  stage: number;
}

export interface StallLimits {
  activityMs: number;
  progressMs: number;
}

/** Events that show a run moving on, not just an agent talking. */
export const PROGRESS_EVENTS = [
  EVENTS.workspaceReady,
  EVENTS.agentDone,
  EVENTS.gateStepFinished,
  EVENTS.proposalCommitted,
  EVENTS.runProposed,
] as const;

/** The event each stall action is recorded as. */
export const STALL_EVENTS = {
  nudge: EVENTS.stallNudged,
  restart: EVENTS.stallRestarted,
  "give-up": EVENTS.stallGaveUp,
} as const satisfies Record<StallAction, EventDef<EventName>>;

/** What to do now, or undefined while the run is not stalled (each stage waits a full period after the last). */
export function stallAction(clock: StallClock, limits: StallLimits, now: number): StallAction | undefined {
  const quietFor = clock.agentWorking ? now - Math.max(clock.activityAt, clock.actedAt) : 0;
  const stuckFor = now - Math.max(clock.progressAt, clock.actedAt);
  if (quietFor < limits.activityMs && stuckFor < limits.progressMs) return undefined;
  return clock.stage === 0 ? "nudge" : clock.stage === 1 ? "restart" : "give-up";
}

/** Why, in words, for events and the failure report. */
export function stallReason(clock: StallClock, limits: StallLimits, now: number): string {
  const quiet = now - clock.activityAt;
  return clock.agentWorking && quiet >= limits.activityMs
    ? `no agent activity for ${Math.round(quiet / 1000)}s`
    : `no progress for ${Math.round((now - clock.progressAt) / 1000)}s`;
}

/** What the store shows of the item's latest run: its latest event, its latest progress, its state. */
export interface RunActivity {
  /** Undefined while the run has no event (or the item no run). */
  activityAt: number | undefined;
  progressAt: number | undefined;
  agentWorking: boolean;
}

export async function readActivity(db: Db, itemId: number): Promise<RunActivity> {
  const run = (await listRuns(db, { itemId })).at(-1);
  return {
    activityAt: run && (await latestEventAt(db, run.id)),
    progressAt: run && (await latestEventAt(db, run.id, PROGRESS_EVENTS)),
    agentWorking: run?.state === "agent",
  };
}

/**
 * The stall clock of a run from what the store shows of it, counted from `startedAt` (when the
 * process working it started) at the earliest.
 */
export function stallClock(
  activity: RunActivity,
  startedAt: number,
  state: { stage: number; actedAt: number },
): StallClock {
  return {
    activityAt: Math.max(startedAt, activity.activityAt ?? 0),
    agentWorking: activity.agentWorking,
    progressAt: Math.max(startedAt, activity.progressAt ?? 0),
    actedAt: state.actedAt,
    stage: state.stage,
  };
}
