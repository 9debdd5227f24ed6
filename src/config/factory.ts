import { basename, isAbsolute, join, resolve } from "node:path";
import type { RawConfig } from "./schema.ts";

/**
 * The factory's configuration, whichever file it came from: `gaffer.toml` (`[factory]`,
 * `[roles.<name>]`, `[[phases]]`) or an agent-orchestrator `agents.toml` read as it is.
 */

/** loop: takes items again and again; task: runs once to completion (or on its schedule);
 * persistent: one long-lived session fed messages; service: a plain command, no agent. */
export type RoleKind = "loop" | "task" | "persistent" | "service";

/** heal: restart a dead role process; stall: nudge, then restart, a role that stopped making progress. */
export type RolePolicy = "heal" | "stall" | "heal+stall" | "none";

export interface Role {
  name: string;
  kind: RoleKind;
  /** The agent preset (agents.toml's `backend`); undefined for services. */
  agent: string | undefined;
  /** The role's own model; the phase override and the defaults are applied by `roleModel`. */
  model: string | undefined;
  policy: RolePolicy;
  enabled: boolean;
  /** Runs of this role at once. */
  concurrency: number;
  /** A five-field cron expression; loop and task roles only start then. */
  schedule: string | undefined;
  /** The role's prompt file, absolute; undefined when there is none. */
  prompt: string | undefined;
  /** Items this role takes: any of these labels; empty takes every item. */
  labels: string[];
  /** A service's command. */
  command: string | undefined;
  /** The session's name without the prefix (agents.toml's `session` alias); the role name by default. */
  session: string;
  /** This role reviews proposals instead of building them. */
  reviews: boolean;
  /** After a red gate: another turn in the same agent session, or a fresh session with the feedback. */
  continuation: "continue" | "fresh";
}

export interface Phase {
  id: string;
  plan: string;
  /** One model for every loop role, or a model per role. */
  models: string | Record<string, string> | undefined;
}

export interface FactorySettings {
  /** Runs at once across all roles. */
  maxConcurrency: number;
  /** Runs one worker process hosts at once. */
  runsPerWorker: number;
  /** The workers' niceness: their runs and git commands yield the CPU to gaffer's own surfaces. */
  workerNice: number;
  /** The niceness of the agents and gates the workers start (never above the workers'). */
  agentNice: number;
  /** Per agent preset; absent: no cap beyond the global one. */
  agentConcurrency: Record<string, number>;
  /** No new builds while this many proposals await review; 0: no limit. */
  maxPendingReview: number;
  leaseMs: number;
  heartbeatMs: number;
  /** No agent activity for this long is a stall. */
  stallActivityMs: number;
  /** No new commit and no change in the gate for this long is a stall. */
  stallProgressMs: number;
  /** Restarts of one role in a row (no task of it ending well between) before the supervisor gives up on it. */
  restartBudget: number;
  /** First restart delay; doubles each time. */
  restartBackoffMs: number;
  /**
   * Retries of a run that failed for the machine's sake (a full disk, an agent killed by the
   * system, a sandbox that would not start), each after the restart backoff; the agent's own
   * failures are never retried.
   */
  infraRetries: number;
  /** Review rounds before a proposal that still has requested changes is given up. */
  maxReviewRounds: number;
  /** Persistent roles get a tmux session that shows their log, to attach to. */
  tmux: boolean;
}

export interface FactoryConfig {
  /** The file the factory was read from; undefined when no roles are configured. */
  file: string | undefined;
  format: "gaffer" | "agents.toml";
  /** Namespace for session names and daemon ownership. */
  sessionPrefix: string;
  /** agents.toml's `log_dir`, absolute; gaffer's own state stays in `.gaffer/`. */
  logDir: string | undefined;
  /** Where `<role>.md` prompts live, absolute. */
  rolesDir: string | undefined;
  /** The kickoff template with {phase_id}, {plan}, {status} and {role} slots, absolute. */
  kickoff: string | undefined;
  defaults: { model: string | undefined; agent: string };
  roles: Role[];
  phases: Phase[];
  settings: FactorySettings;
}

/** A role's session name in the namespace, e.g. "cc-ci-adv". */
export function sessionName(factory: FactoryConfig, role: Role): string {
  return `${factory.sessionPrefix}${role.session}`;
}

/**
 * The model a role uses in a phase: the phase's override (its table entry, or its one string for
 * every loop role), then the role's own, then the defaults.
 */
export function roleModel(factory: FactoryConfig, role: Role, phase: Phase | undefined): string | undefined {
  const override = phase?.models;
  if (typeof override === "string" && role.kind === "loop") return override;
  if (override && typeof override === "object" && override[role.name] !== undefined)
    return override[role.name];
  return role.model ?? factory.defaults.model;
}

const REVIEWER_NAMES = new Set(["reviewer", "adversary"]);

/** Services have no policy column; a role with no policy is "none". */
export function defaultPolicy(kind: RoleKind): RolePolicy {
  return kind === "service" ? "heal" : "none";
}

export function reviewsByDefault(name: string): boolean {
  return REVIEWER_NAMES.has(name);
}

/** The factory from gaffer.toml's `[factory]`, `[roles.<name>]` and `[[phases]]`. */
export function compileFactory(raw: RawConfig, root: string, file: string | undefined): FactoryConfig {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  const settings = raw.factory;
  const rolesDir = at(settings.roles_dir);
  const roles = Object.entries(raw.roles).map(([name, role]): Role => ({
    name,
    kind: role.kind,
    agent: role.kind === "service" ? undefined : (role.agent ?? raw.agent.default),
    model: role.model,
    policy: role.policy ?? defaultPolicy(role.kind),
    enabled: role.enabled,
    concurrency: role.concurrency,
    schedule: role.schedule,
    prompt: role.prompt !== undefined ? at(role.prompt) : join(rolesDir, `${name}.md`),
    labels: role.labels,
    command: role.command,
    session: role.session ?? name,
    reviews: role.reviews ?? reviewsByDefault(name),
    continuation: role.continuation,
  }));
  return {
    file: roles.length > 0 ? file : undefined,
    format: "gaffer",
    sessionPrefix: settings.session_prefix ?? `${basename(root)}-`,
    logDir: undefined,
    rolesDir,
    kickoff: settings.kickoff !== undefined ? at(settings.kickoff) : undefined,
    defaults: { model: settings.model, agent: raw.agent.default },
    roles,
    phases: raw.phases.map((phase) => ({ id: phase.id, plan: phase.plan, models: phase.models })),
    settings: {
      maxConcurrency: settings.max_concurrency,
      runsPerWorker: settings.runs_per_worker,
      workerNice: settings.worker_nice,
      agentNice: settings.agent_nice,
      agentConcurrency: settings.agent_concurrency,
      maxPendingReview: settings.max_pending_review,
      leaseMs: settings.lease,
      heartbeatMs: settings.heartbeat,
      stallActivityMs: settings.stall_activity,
      stallProgressMs: settings.stall_progress,
      restartBudget: settings.restart_budget,
      restartBackoffMs: settings.restart_backoff,
      infraRetries: settings.infra_retries,
      maxReviewRounds: settings.max_review_rounds,
      tmux: settings.tmux,
    },
  };
}
