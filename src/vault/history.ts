import { GafferError } from "../errors.ts";
import { type AuditEntry, digest, verifiedAudit } from "./audit.ts";
import type { ActionRequest } from "./request.ts";
import type { ActionState, StoredAction, VaultPaths } from "./store.ts";

/** The state each audit record puts an action in; a notification changes nothing. */
const STATE_AFTER: Record<AuditEntry["type"], ActionState | undefined> = {
  requested: "pending",
  notified: undefined,
  approved: "approved",
  rejected: "rejected",
  expired: "rejected",
  fired: "fired",
  executed: "fired",
};

/** The state an action's audit records put it in. */
export function stateFromHistory(history: readonly AuditEntry[]): ActionState | undefined {
  return history.reduce<ActionState | undefined>(
    (state, entry) => STATE_AFTER[entry.type] ?? state,
    undefined,
  );
}

/** The request an action's audit records say was made. */
function recordedRequest(history: readonly AuditEntry[]): ActionRequest | undefined {
  return history.find((entry) => entry.type === "requested")?.data.request as ActionRequest | undefined;
}

/** What is wrong with an action's file against its audit records; empty when they agree. */
export function disagreements(action: StoredAction, history: readonly AuditEntry[]): string[] {
  const recorded = recordedRequest(history);
  if (!recorded) return ["the audit log has no request for it (added behind gaffer's back)"];
  const problems: string[] = [];
  if (digest(recorded) !== digest(action.request))
    problems.push("it differs from the request the audit log recorded (edited)");
  const state = stateFromHistory(history);
  if (state !== action.state)
    problems.push(`the audit log has it ${state}, not ${action.state} (moved behind gaffer's back)`);
  const executed = history.find((entry) => entry.type === "executed");
  if (action.result && executed?.data.result !== digest(action.result)) {
    problems.push("its result differs from the one the audit log recorded (edited)");
  }
  return problems;
}

/** The audit records of one action, from a log that must verify. */
function historyOf(paths: VaultPaths, id: string): AuditEntry[] {
  return verifiedAudit(paths.audit).filter((entry) => entry.action === id);
}

/**
 * Refuses to act on an action whose file disagrees with the audit log: what is approved and
 * executed is exactly what was requested and recorded.
 */
export function assertRecorded(paths: VaultPaths, action: StoredAction): void {
  const problem = disagreements(action, historyOf(paths, action.request.id))[0];
  if (problem) {
    throw new GafferError(
      "integrity",
      `vault action ${action.request.id}: ${problem}`,
      "run `gaffer vault verify`; gaffer will not act on it",
    );
  }
}
