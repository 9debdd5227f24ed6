import { type EventDef, type EventName, EVENTS } from "./event-catalogue.ts";
import type { RunState } from "./schema.ts";

/** Someone drives the run now: at most one process, its owner. */
export const ACTIVE_STATES: readonly RunState[] = ["preparing", "agent", "gating", "proposing"];
/** Stopped with its workspace kept, to be resumed: the factory picks these up again. */
export const RESUMABLE_STATES: readonly RunState[] = ["cancelled", "interrupted", "revising"];
/**
 * Over: the factory starts a new run for the item, if any. A `failed` run is over too, but its
 * workspace is kept and a user may still resume it by hand.
 */
export const TERMINAL_STATES: readonly RunState[] = ["proposed", "failed", "gave-up", "discarded"];

interface TransitionDef<E extends EventDef<EventName>> {
  from: readonly RunState[];
  to: RunState;
  event: E;
  /** One line for the docs: when it happens. */
  when: string;
}

function transition<const E extends EventDef<EventName>>(def: TransitionDef<E>): TransitionDef<E> {
  return def;
}

/**
 * A run's life, written once: every way a run changes state, from where, to where, with which
 * event. `moveRun` is the only code that changes a run's state; docs/EVENTS.md and the tests read
 * this table.
 */
export const RUN_TRANSITIONS = {
  resume: transition({
    from: [...RESUMABLE_STATES, "failed"],
    to: "preparing",
    event: EVENTS.runResumed,
    when: "`gaffer run <item> --resume`, or a builder picking up a revision",
  }),
  workspaceReady: transition({
    from: ["preparing"],
    to: "preparing",
    event: EVENTS.workspaceReady,
    when: "the clone is set up and confined",
  }),
  startAttempt: transition({
    from: ACTIVE_STATES,
    to: "agent",
    event: EVENTS.attemptStarted,
    when: "the agent begins an attempt",
  }),
  restartAttempt: transition({
    from: ACTIVE_STATES,
    to: "agent",
    event: EVENTS.attemptRestarted,
    when: "an attempt cut short by a crash or a cancel begins again",
  }),
  agentDone: transition({
    from: ["agent"],
    to: "gating",
    event: EVENTS.agentDone,
    when: "the agent ended its turn and its work is recorded",
  }),
  startProposal: transition({
    from: ["preparing", "gating", "proposing"],
    to: "proposing",
    event: EVENTS.proposalStarted,
    when: "the gate is green (or was, before a resume)",
  }),
  propose: transition({
    from: ["proposing"],
    to: "proposed",
    event: EVENTS.runProposed,
    when: "the proposal branch and its evidence are recorded",
  }),
  giveUp: transition({
    from: ["preparing", "agent", "gating"],
    to: "gave-up",
    event: EVENTS.runGaveUp,
    when: "the attempts ran out (or repeated a failure) without a green gate",
  }),
  fail: transition({
    from: ACTIVE_STATES,
    to: "failed",
    event: EVENTS.runFailed,
    when: "a step could not run: a crash, a missing tool, a limit, no change",
  }),
  cancel: transition({
    from: ACTIVE_STATES,
    to: "cancelled",
    event: EVENTS.runCancelled,
    when: "the user stopped the run",
  }),
  interrupt: transition({
    from: ACTIVE_STATES,
    to: "interrupted",
    event: EVENTS.runInterrupted,
    when: "recovery found the run's process gone, or the machine stopped a step (a gate killed from outside)",
  }),
  abandon: transition({
    from: RESUMABLE_STATES,
    to: "gave-up",
    event: EVENTS.runGaveUp,
    when: "the supervisor gave up a stopped run (a stall or a role that kept dying)",
  }),
  reject: transition({
    from: ["proposed"],
    to: "gave-up",
    event: EVENTS.runGaveUp,
    when: "a reviewer asked for changes after the last revision round",
  }),
  revise: transition({
    from: ["proposed"],
    to: "revising",
    event: EVENTS.runRevising,
    when: "a reviewer asked for changes; a builder resumes with the findings",
  }),
  reopen: transition({
    from: ["proposed", "gave-up", "failed"],
    to: "revising",
    event: EVENTS.runReopened,
    when: "a reaction: a failed check, a review or a moved base on the run's pull request; a builder resumes it with that feedback",
  }),
  rebase: transition({
    from: ["preparing"],
    to: "preparing",
    event: EVENTS.runRebased,
    when: "a resumed run that a moved base re-opened: gaffer rebases its work onto the new base",
  }),
  discard: transition({
    from: ["proposed", "failed", "gave-up", "cancelled", "interrupted"],
    to: "discarded",
    event: EVENTS.runDiscarded,
    when: "`gaffer discard`: the workspace is snapshotted and removed",
  }),
} as const;

export type RunTransitionName = keyof typeof RUN_TRANSITIONS;
type EventOf<T extends RunTransitionName> = (typeof RUN_TRANSITIONS)[T]["event"];
type PayloadOf<E> = E extends EventDef<string, infer P> ? P : never;
/** What a transition's caller adds to its event: everything but the state, which the table says. */
export type TransitionData<T extends RunTransitionName> = Omit<PayloadOf<EventOf<T>>, "state">;

/** Whether a run in `state` has stopped (ended, or waiting for a resume). */
export function isStopped(state: RunState): boolean {
  return !ACTIVE_STATES.includes(state);
}
