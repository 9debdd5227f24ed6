import { EXIT } from "../errors.ts";
import { type Claim, EVENTS, type FailureCause } from "../store/index.ts";
import { type Plan, record, type SupervisorAction } from "./plan-actions.ts";
import { type ChildState, draft, heals, healthOf, holderPrefix, type PlanState } from "./plan-state.ts";
import { WORKER_EXIT } from "./worker-exit.ts";

/** A role process's end, with what the supervisor read once it was gone. */
export interface ChildExit {
  name: string;
  code: number | null;
  signal: string | null;
  /** The last line it wrote to its log: its one-line error. */
  lastLine: string;
  /** For a build: who its item's latest run's failure is down to, when that run failed. */
  runFailure: FailureCause | undefined;
  /** Every claim on an item now. */
  claims: readonly Claim[];
  /**
   * For a task that ended because its worker process died: that death, named once for all the
   * tasks it ended, so it spends one restart of the role's budget, not one per task.
   */
  incident?: string;
}

/**
 * A role process ended. Stopped on purpose, it is done with (a stalled run it gave up on ends
 * given up). Ended cleanly, or its run failed for the machine's sake (the dispatch retries it),
 * it is let be. Dead, it is healed within the role's budget. Otherwise its item failed it: the
 * item is held back and the role goes on with others.
 */
export function planExit(state: PlanState, exit: ChildExit, now: number): Plan {
  const child = state.children.find((c) => c.name === exit.name);
  if (!child) return { state, actions: [] };
  const s = draft(state);
  s.children = s.children.filter((c) => c.name !== exit.name);
  const itemId = child.itemId;
  const actions: SupervisorAction[] = [
    record(EVENTS.roleExited, {
      role: child.role.name,
      process: child.name,
      code: exit.code,
      signal: exit.signal,
      duty: child.duty,
      ...(itemId !== undefined && { item: itemId }),
    }),
  ];
  if (child.ending === "shutdown" || s.stopping || child.ending === "restart") return { state: s, actions };
  if (child.ending === "give-up" && itemId !== undefined) {
    s.carry.delete(itemId);
    actions.push({ kind: "give-up-run", itemId, reason: `stall: ${child.reason ?? "no progress"}` });
    return { state: s, actions };
  }
  const alwaysOn = child.duty === "service" || child.duty === "persistent";
  const clean =
    exit.code === WORKER_EXIT.done ||
    exit.code === WORKER_EXIT.cancelled ||
    exit.code === WORKER_EXIT.claimLost;
  if (!alwaysOn && (clean || exit.runFailure === "infrastructure")) {
    if (itemId !== undefined) s.carry.delete(itemId);
    // The budget and the backoff are for deaths in a row: work that ended well starts them over.
    if (clean) healthOf(s, child.role).restarts = 0;
    return { state: s, actions };
  }
  const crashed = exit.signal !== null || exit.code === null || exit.code === EXIT.software;
  if (alwaysOn || crashed || itemId === undefined) {
    actions.push(...died(s, child, exit, now));
    return { state: s, actions };
  }
  s.held.add(itemId);
  actions.push(
    record(EVENTS.itemHeld, { role: child.role.name, item: itemId, code: exit.code, error: exit.lastLine }),
  );
  return { state: s, actions };
}

/** A role process ended on its own: heal it (with backoff, within the budget) or let it be. */
function died(s: PlanState, child: ChildState, exit: ChildExit, now: number): SupervisorAction[] {
  const role = child.role;
  if (!heals(role)) {
    // Its claim lapses on its own; then the item, and its workspace, go back to the queue.
    if (child.duty === "service" || child.duty === "persistent") s.stopped.add(role.name);
    return [record(EVENTS.roleDied, { role: role.name, process: child.name, healed: false })];
  }
  const health = healthOf(s, role);
  const counted = exit.incident !== undefined && health.lastIncident === exit.incident;
  if (!counted) health.restarts += 1;
  health.lastIncident = exit.incident;
  const { restartBudget, restartBackoffMs } = s.factory.settings;
  if (health.restarts > restartBudget) {
    // The same death gave the role up already, when it ended the first of its tasks.
    if (counted) return [];
    health.gaveUp = true;
    return [record(EVENTS.roleGaveUp, { role: role.name, restarts: health.restarts - 1 })];
  }
  const delay = restartBackoffMs * 2 ** (health.restarts - 1);
  if (!counted) health.notBefore = now + delay;
  const actions: SupervisorAction[] = [];
  const reason = "its process died";
  if (child.duty === "persistent") {
    actions.push({ kind: "recover-runs" });
    for (const claim of exit.claims.filter((c) => c.holder.startsWith(holderPrefix(s, child.name))))
      actions.push({ kind: "release-claim", itemId: claim.itemId, holder: claim.holder, reason });
  } else if (child.itemId !== undefined && child.holder !== undefined) {
    actions.push(
      { kind: "recover-runs" },
      { kind: "release-claim", itemId: child.itemId, holder: child.holder, reason },
    );
    s.carry.set(child.itemId, { stage: s.carry.get(child.itemId)?.stage ?? 0, notBefore: 0 });
  }
  actions.push(
    record(EVENTS.roleHealing, {
      role: role.name,
      process: child.name,
      restart: health.restarts,
      delayMs: delay,
      ...(child.itemId !== undefined && { item: child.itemId }),
    }),
  );
  return actions;
}
