import type { z } from "zod";
import type { reactionsSchema } from "./reactions-schema.ts";

/**
 * `[reactions]`: what gaffer does when something happens on a published run's pull request, one
 * table per event (the vocabulary of agent-orchestrator's reactions). `send-to-agent` re-opens the
 * run with what happened as its next attempt's brief, at most `retries` times before escalating;
 * `rebase` has gaffer rebase the run onto the moved base (the agent resolves conflicts); `merge`
 * asks the vault to merge; `notify` escalates at once (label, comment, `notify`); `ignore` records
 * the event and does nothing else.
 */

/** The events gaffer reacts to, as `[reactions]` names them. */
export const REACTION_EVENTS = [
  "ci-failed",
  "changes-requested",
  "merge-conflict",
  "approved-and-green",
] as const;
export type ReactionEvent = (typeof REACTION_EVENTS)[number];

export interface Reaction {
  action: "send-to-agent" | "rebase" | "merge" | "notify" | "ignore";
  /** How many times gaffer acts before it escalates instead. */
  retries: number;
}

export interface ReactionsConfig {
  "ci-failed": Reaction & { action: "send-to-agent" | "notify" | "ignore" };
  "changes-requested": Reaction & { action: "send-to-agent" | "notify" | "ignore" };
  "merge-conflict": Reaction & {
    action: "rebase" | "notify" | "ignore";
    /** conflict: only a moved base the pull request conflicts with; base-moved: any move of the base. */
    on: "conflict" | "base-moved";
  };
  "approved-and-green": Reaction & {
    action: "merge" | "notify" | "ignore";
    /** Green needs at least one passed check; false: a head with no check at all counts as green. */
    requireChecks: boolean;
  };
  /** The label an escalation puts on the issue (or the pull request, for an item with no issue). */
  escalateLabel: string;
  /** A shell command run on each escalation and notification; undefined: none. */
  notify: string | undefined;
  /** The most bytes of a failing check's log that go into the agent's brief. */
  logBytes: number;
}

type RawReactions = z.output<typeof reactionsSchema>;

export function compileReactions(raw: RawReactions, blockedLabel: string): ReactionsConfig {
  return {
    "ci-failed": { ...raw["ci-failed"] },
    "changes-requested": { ...raw["changes-requested"] },
    "merge-conflict": { ...raw["merge-conflict"] },
    "approved-and-green": {
      action: raw["approved-and-green"].action,
      requireChecks: raw["approved-and-green"].require_checks,
      retries: 1,
    },
    escalateLabel: raw.escalate_label ?? blockedLabel,
    notify: raw.notify,
    logBytes: raw.log_bytes,
  };
}
