import type { FactoryConfig, Role } from "../config/index.ts";
import type { Duty } from "../store/index.ts";
import { nextFire } from "../util/index.ts";

/** What a role process is for: a build or a review of one item, a persistent role, a service. */
export type ChildDuty = Duty | "service" | "persistent";

/** A role process the supervisor started and has not yet seen exit. */
export interface ChildState {
  /** Its pid file's and log's name: the role's session, with `.<n>` for the n-th of a role. */
  name: string;
  role: Role;
  duty: ChildDuty;
  /** The item it works; a persistent role's follows the claim it holds now. */
  itemId: number | undefined;
  /** The claim it was started with. */
  holder: string | undefined;
  startedAt: number;
  /** Set when the supervisor stops it on purpose: what to do once it has exited. */
  ending: "restart" | "give-up" | "shutdown" | undefined;
  /** Why it was stopped: the stall's reason. */
  reason: string | undefined;
  /** While it works an item: how many stall stages were acted on, and when the last was. */
  stall: { stage: number; actedAt: number } | undefined;
}

/** Per-role health: restarts spent, when the next may start, whether the role was given up. */
export interface RoleHealth {
  restarts: number;
  notBefore: number;
  gaveUp: boolean;
  /** Scheduled roles: activations waiting to be dispatched, and the next fire time. */
  activations: number;
  nextFire: number | undefined;
  /** The last death counted against the budget that ended several tasks at once (a worker's). */
  lastIncident: string | undefined;
}

/** An item whose next build is a restart: the stall stage it carries, and when it may start. */
export interface Carry {
  stage: number;
  notBefore: number;
}

/**
 * Everything the supervisor knows that the store does not: its processes, its roles' health, the
 * stall stages items carry between processes. The planner never changes a state it is given; it
 * returns the next one.
 */
export interface PlanState {
  factory: FactoryConfig;
  /** This supervisor's owner token: its claims are held as `<token>/<process>/<n>`. */
  token: string;
  children: ChildState[];
  health: Map<string, RoleHealth>;
  carry: Map<number, Carry>;
  /** Items whose worker failed for a reason of the item's own: not dispatched again. */
  held: Set<number>;
  /** Services and persistent roles that died without a heal policy, or have nothing to run. */
  stopped: Set<string>;
  /** The number of the last claim this supervisor took. */
  sequence: number;
  vaultSettledAt: number;
  /** Set once a pause held ready work back and said so; cleared on resume. */
  pauseNoted: boolean;
  /** The plan limits (`host@until`) already said to hold work back. */
  backendsNoted: Set<string>;
  stopping: boolean;
}

export function initialState(factory: FactoryConfig, token: string, now: number): PlanState {
  const health = new Map<string, RoleHealth>();
  for (const role of factory.roles) {
    health.set(role.name, {
      restarts: 0,
      notBefore: 0,
      gaveUp: false,
      activations: role.kind === "task" && role.schedule === undefined ? 1 : 0,
      nextFire: role.schedule ? nextFire(role.schedule, new Date(now))?.getTime() : undefined,
      lastIncident: undefined,
    });
  }
  return {
    factory,
    token,
    children: [],
    health,
    carry: new Map(),
    held: new Set(),
    stopped: new Set(),
    sequence: 0,
    vaultSettledAt: 0,
    pauseNoted: false,
    backendsNoted: new Set(),
    stopping: false,
  };
}

/** A copy of the state that a planning step may change, leaving the one it was given as it was. */
export function draft(state: PlanState): PlanState {
  return {
    ...state,
    children: state.children.map((child) => ({ ...child })),
    health: new Map([...state.health].map(([role, health]) => [role, { ...health }])),
    carry: new Map(state.carry),
    held: new Set(state.held),
    stopped: new Set(state.stopped),
    backendsNoted: new Set(state.backendsNoted),
  };
}

/** What the claims this supervisor takes for a process start with: `<token>/<process>/`. */
export function holderPrefix(state: PlanState, name: string): string {
  return `${state.token}/${name}/`;
}

/** The role's health; every configured role has one from the start. */
export function healthOf(state: PlanState, role: Role): RoleHealth {
  const health = state.health.get(role.name);
  if (!health) throw new Error(`no health kept for role ${role.name}`);
  return health;
}

/** Whether the role may start a process now: enabled, not given up, past its restart backoff. */
export function canStart(state: PlanState, role: Role, now: number): boolean {
  const health = healthOf(state, role);
  return role.enabled && !health.gaveUp && now >= health.notBefore;
}

/** Whether a role of this kind and policy acts on stalls, or on deaths. */
export function stalls(role: Role): boolean {
  return role.policy === "stall" || role.policy === "heal+stall";
}

export function heals(role: Role): boolean {
  return role.policy === "heal" || role.policy === "heal+stall";
}

/** Roles that take items or proposals one process each; services and persistent roles run always. */
export function dispatches(role: Role): boolean {
  return role.kind === "loop" || role.kind === "task";
}

/** Roles that start only when activated: a task once per `gaffer up`, a scheduled role per tick. */
export function scheduled(role: Role): boolean {
  return role.schedule !== undefined || role.kind === "task";
}
