import { sessionName } from "../config/index.ts";
import { type Claim, EVENTS } from "../store/index.ts";
import { type Plan, record, type SupervisorAction } from "./plan-actions.ts";
import { dispatch, readyCount } from "./plan-dispatch.ts";
import {
  canStart,
  type ChildState,
  draft,
  healthOf,
  holderPrefix,
  type PlanState,
  scheduled,
  stalls,
} from "./plan-state.ts";
import type { BackendPause } from "./backend-pause.ts";
import type { Backlog } from "./scheduler.ts";
import { type RunActivity, STALL_EVENTS, stallAction, stallClock, stallReason } from "./stall.ts";
import { nextFire } from "../util/index.ts";

/**
 * The supervisor's decisions, as pure functions of what it knows (its state), what the store
 * shows (facts) and the time: no I/O, no clock. The supervisor gathers the facts, plans, and
 * performs the actions in order. The exported functions leave the state they are given as it
 * was; the steps below them change the draft they are handed.
 */

/** How often the supervisor settles the vault's ended review windows. */
export const VAULT_TICK_MS = 5_000;

/** What the supervisor reads from the store and the control files before each tick. */
export interface TickFacts {
  /** Every claim on an item. */
  claims: readonly Claim[];
  /** The kill switch: no new work starts. */
  paused: boolean;
  /** Read only when `wantsBacklog` says the tick will look at it. */
  backlog: Backlog | undefined;
  /** What the store shows of each run `watchedItems` named, by item. */
  activity: ReadonlyMap<number, RunActivity>;
  /** Model hosts at their plan limit: their agents' work waits for the reset. */
  backendPauses: readonly BackendPause[];
}

/**
 * One tick: lapsed claims go back to the queue, stalled runs are nudged, restarted or given up,
 * due schedules fire, services and persistent roles are kept alive, the vault is settled on its
 * period, and ready work is dispatched unless the factory is paused. Roles whose agent's model host
 * is at its plan limit start nothing until it resets (said once per limit).
 */
export function planTick(state: PlanState, facts: TickFacts, now: number): Plan {
  if (state.stopping) return { state, actions: [] };
  const s = draft(state);
  const held = heldAgents(facts.backendPauses, now);
  const actions = [
    ...expireLeases(s, facts.claims, now),
    ...checkStalls(s, facts, now),
    ...fireSchedules(s, now),
    ...noteBackendPauses(s, facts.backendPauses, now),
    ...keepAlive(s, now, held),
    ...settleVault(s, now),
    ...(facts.paused ? holdBack(s, facts.backlog, now) : resume(s, facts.backlog, now, held)),
  ];
  return { state: s, actions };
}

/** The agents whose model host is at its plan limit now. */
function heldAgents(pauses: readonly BackendPause[], now: number): ReadonlySet<string> {
  return new Set(pauses.filter((pause) => pause.until > now).flatMap((pause) => pause.agents));
}

function noteBackendPauses(s: PlanState, pauses: readonly BackendPause[], now: number): SupervisorAction[] {
  return pauses.flatMap((pause) => {
    const key = `${pause.host}@${pause.until}`;
    if (pause.until <= now || s.backendsNoted.has(key)) return [];
    s.backendsNoted.add(key);
    return [record(EVENTS.supervisorBackendPaused, { ...pause })];
  });
}

/** Whether the tick will look at the backlog: below the overall cap, or paused with nothing said yet. */
export function wantsBacklog(state: PlanState, paused: boolean): boolean {
  if (paused) return !state.pauseNoted;
  const busy = state.children.filter((child) => child.duty !== "service").length;
  return busy < state.factory.settings.maxConcurrency;
}

/** The items whose runs the stall check looks at: those worked by processes of stall-policy roles. */
export function watchedItems(state: PlanState, claims: readonly Claim[]): number[] {
  const items = state.children.flatMap((child) => {
    if (!stalls(child.role) || child.ending) return [];
    const itemId = child.duty === "persistent" ? heldBy(state, child, claims)?.itemId : child.itemId;
    return itemId === undefined || (child.duty !== "build" && child.duty !== "persistent") ? [] : [itemId];
  });
  return [...new Set(items)];
}

/** The state once a start action's process is running. */
export function childStarted(
  state: PlanState,
  child: Pick<ChildState, "name" | "role" | "duty" | "itemId" | "holder">,
  now: number,
): PlanState {
  const s = draft(state);
  const worker = child.duty === "build" || child.duty === "review";
  s.children.push({
    ...child,
    startedAt: now,
    ending: undefined,
    reason: undefined,
    stall:
      worker && child.itemId !== undefined
        ? { stage: s.carry.get(child.itemId)?.stage ?? 0, actedAt: now }
        : undefined,
  });
  if (worker && scheduled(child.role)) healthOf(s, child.role).activations -= 1;
  return s;
}

/** A claim as the supervisor found it at start: whether the process that holds it is still alive. */
export interface FoundClaim extends Claim {
  holderAlive: boolean;
}

/** The state once shutting down: no more ticks, and every process's exit is expected. */
export function beginShutdown(state: PlanState): PlanState {
  const s = draft(state);
  s.stopping = true;
  for (const child of s.children) child.ending = "shutdown";
  return s;
}

/** At the end, this supervisor's claims go back. */
export function releaseOwnClaims(state: PlanState, claims: readonly Claim[]): SupervisorAction[] {
  return claims
    .filter((claim) => claim.holder.startsWith(`${state.token}/`))
    .map((claim) => ({
      kind: "release-claim",
      itemId: claim.itemId,
      holder: claim.holder,
      reason: "the factory went down",
    }));
}

/** A lapsed claim's run belonged to a process that is gone: it is marked interrupted, so it resumes. */
function expireLeases(s: PlanState, claims: readonly Claim[], now: number): SupervisorAction[] {
  const lapsed = claims.filter((claim) => claim.expiresAt <= now);
  if (lapsed.length === 0) return [];
  for (const claim of lapsed) s.carry.delete(claim.itemId);
  return [{ kind: "expire-claims" }, { kind: "recover-runs" }];
}

function checkStalls(s: PlanState, facts: TickFacts, now: number): SupervisorAction[] {
  const limits = {
    activityMs: s.factory.settings.stallActivityMs,
    progressMs: s.factory.settings.stallProgressMs,
  };
  const actions: SupervisorAction[] = [];
  for (const child of s.children) {
    if (!stalls(child.role) || child.ending) continue;
    if (child.duty === "persistent") followPersistent(s, child, facts.claims, now);
    if (child.duty !== "build" && child.duty !== "persistent") continue;
    const activity = child.itemId === undefined ? undefined : facts.activity.get(child.itemId);
    if (child.itemId === undefined || !child.stall || !activity) continue;
    const clock = stallClock(activity, child.startedAt, child.stall);
    const action = stallAction(clock, limits, now);
    if (!action) continue;
    const reason = stallReason(clock, limits, now);
    child.stall = { stage: child.stall.stage + 1, actedAt: now };
    actions.push(
      record(STALL_EVENTS[action], {
        role: child.role.name,
        process: child.name,
        item: child.itemId,
        reason,
      }),
    );
    if (action === "nudge") {
      actions.push({ kind: "nudge", name: child.name });
      continue;
    }
    child.ending = action;
    child.reason = reason;
    // A restarted run resumes at once, one stall stage further on.
    if (action === "restart") s.carry.set(child.itemId, { stage: child.stall.stage, notBefore: 0 });
    actions.push({ kind: "stop-child", name: child.name });
  }
  return actions;
}

/**
 * A persistent role's process works one item after another: its stall clock follows the item it
 * holds now, and a restarted item carries its stall stage over to the next process.
 */
function followPersistent(s: PlanState, child: ChildState, claims: readonly Claim[], now: number): void {
  const claim = heldBy(s, child, claims);
  if (claim?.itemId === child.itemId) return;
  child.itemId = claim?.itemId;
  if (claim) child.stall = { stage: s.carry.get(claim.itemId)?.stage ?? 0, actedAt: now };
}

function heldBy(s: PlanState, child: ChildState, claims: readonly Claim[]): Claim | undefined {
  return claims.find((claim) => claim.holder.startsWith(holderPrefix(s, child.name)));
}

function fireSchedules(s: PlanState, now: number): SupervisorAction[] {
  const actions: SupervisorAction[] = [];
  for (const role of s.factory.roles) {
    const health = healthOf(s, role);
    if (!role.schedule || health.nextFire === undefined || now < health.nextFire) continue;
    health.activations += 1;
    health.nextFire = nextFire(role.schedule, new Date(now))?.getTime();
    actions.push(record(EVENTS.roleScheduled, { role: role.name, next: health.nextFire ?? null }));
  }
  return actions;
}

/**
 * Services and persistent roles run all the time: each has one process, started when it has none
 * (a persistent role whose agent is held waits).
 */
function keepAlive(s: PlanState, now: number, held: ReadonlySet<string>): SupervisorAction[] {
  const actions: SupervisorAction[] = [];
  for (const role of s.factory.roles) {
    if (role.kind !== "service" && role.kind !== "persistent") continue;
    if (!canStart(s, role, now) || s.stopped.has(role.name)) continue;
    if (role.agent !== undefined && held.has(role.agent)) continue;
    const name = sessionName(s.factory, role);
    if (s.children.some((child) => child.name === name)) continue;
    if (role.kind === "persistent") {
      if (s.factory.settings.tmux) actions.push({ kind: "open-view", session: name });
      actions.push({ kind: "start-persistent", role, name, holder: `${s.token}/${name}` });
    } else if (role.command !== undefined) {
      actions.push({ kind: "start-service", role, name, command: role.command });
    } else {
      // An agents.toml service that its engine ran from its own code: nothing here to start.
      s.stopped.add(role.name);
      actions.push(record(EVENTS.roleSkipped, { role: role.name, reason: "a service with no command" }));
    }
  }
  return actions;
}

/** Medium actions whose review window ended execute or expire on time while the factory is up. */
function settleVault(s: PlanState, now: number): SupervisorAction[] {
  if (now - s.vaultSettledAt < VAULT_TICK_MS) return [];
  s.vaultSettledAt = now;
  return [{ kind: "settle-vault" }];
}

/** Paused: nothing starts; the first tick that holds ready work back says how much. */
function holdBack(s: PlanState, backlog: Backlog | undefined, now: number): SupervisorAction[] {
  if (s.pauseNoted || !backlog) return [];
  const held = readyCount(s, backlog, now);
  if (held === 0) return [];
  s.pauseNoted = true;
  return [record(EVENTS.supervisorPaused, { held })];
}

function resume(
  s: PlanState,
  backlog: Backlog | undefined,
  now: number,
  held: ReadonlySet<string>,
): SupervisorAction[] {
  s.pauseNoted = false;
  return backlog ? dispatch(s, backlog, now, held) : [];
}
