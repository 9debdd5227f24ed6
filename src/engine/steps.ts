import type { Attempt, Run } from "../store/index.ts";
import { TERMINAL_STATES } from "../store/index.ts";

/** Why a heal loop stops without a green gate. */
export type GiveUpSignal = "attempts-exhausted" | "no-change" | "repeated-failure";

/**
 * What the run engine does next, read only from the store. Because every step is derived from
 * recorded state, a fresh run, a resumed run and a run recovered after a crash follow one path.
 */
export type NextStep =
  | { kind: "prepare" }
  | { kind: "rebase"; onto: string }
  | { kind: "agent"; attempt: number }
  | { kind: "gate"; attempt: number }
  | { kind: "propose" }
  | { kind: "give-up"; signal: GiveUpSignal; detail: string }
  | { kind: "fail"; reason: string }
  | { kind: "done" };

export function nextStep(run: Run, attempts: readonly Attempt[], prepared: boolean): NextStep {
  if (TERMINAL_STATES.includes(run.state)) return { kind: "done" };
  if (!prepared) return { kind: "prepare" };
  if (run.rebaseOnto) return { kind: "rebase", onto: run.rebaseOnto };
  const last = attempts.at(-1);
  if (!last) return { kind: "agent", attempt: 1 };
  switch (last.state) {
    case "agent":
    case "error":
      return { kind: "agent", attempt: last.number };
    case "gating":
      return { kind: "gate", attempt: last.number };
    case "green":
      return { kind: "propose" };
    case "no-change":
      return {
        kind: "give-up",
        signal: "no-change",
        detail: `attempt ${last.number} changed nothing in the workspace`,
      };
    case "red":
      return afterRed(run, attempts, last);
    case "changes-requested":
      return { kind: "agent", attempt: last.number + 1 };
    default:
      return last.state satisfies never;
  }
}

function afterRed(run: Run, attempts: readonly Attempt[], last: Attempt): NextStep {
  const previous = attempts.at(-2);
  if (
    previous?.state === "red" &&
    previous.failureHash !== null &&
    previous.failureHash === last.failureHash
  ) {
    return {
      kind: "give-up",
      signal: "repeated-failure",
      detail: `attempts ${previous.number} and ${last.number} failed the gate identically`,
    };
  }
  // A review round starts a fresh heal loop: only the attempts since the last one count.
  const reviewed = attempts.findLastIndex((a) => a.state === "changes-requested");
  const fixesUsed = attempts.length - reviewed - 2;
  if (fixesUsed >= run.maxFixAttempts) {
    if (run.maxFixAttempts === 0)
      return { kind: "fail", reason: "the gate is red and max_fix_attempts is 0" };
    return {
      kind: "give-up",
      signal: "attempts-exhausted",
      detail: `the gate is still red after ${fixesUsed} fix attempt${fixesUsed === 1 ? "" : "s"}`,
    };
  }
  return { kind: "agent", attempt: last.number + 1 };
}
