import {
  type FactoryConfig,
  type Role,
  type RoleKind,
  type RolePolicy,
  roleModel,
  sessionName,
} from "../config/index.ts";
import { type PhaseState, readPhaseState } from "./phase.ts";
import { runningDaemon } from "./ownership.ts";
import { pidDir, readPidFiles } from "./pid-files.ts";
import { printable } from "../util/index.ts";

/**
 * The factory's part of `gaffer status`: the phase line and one row per role, in the words and
 * order of agent-orchestrator's `agents.py status`:
 *
 *     phase: poe2e [19/19] plan=plan-phase-poe2e-end-to-end.md (in progress)
 *     orchestrator persistent claude claude-opus-4-8   heal       RUNNING
 *     cleanlogs    service    -      -                 -          RUNNING
 *     assistant    persistent claude claude-sonnet-4-6 none       stopped (disabled)
 *
 * Once the last phase is done the line ends in "(done)" instead of "(in progress)".
 */
export interface PhaseStatus {
  id: string;
  plan: string;
  /** 1-based, as shown. */
  number: number;
  count: number;
  state: "in progress" | "done";
}

export interface RoleStatus {
  name: string;
  kind: RoleKind;
  /** The agent preset; null for services. */
  agent: string | null;
  /** The model in the current phase; null for services. */
  model: string | null;
  policy: RolePolicy;
  enabled: boolean;
  session: string;
  state: "running" | "stopped";
}

export interface FactoryStatus {
  file: string | null;
  format: FactoryConfig["format"];
  sessionPrefix: string;
  phase: PhaseStatus | null;
  roles: RoleStatus[];
}

/**
 * Reads the persisted phase and the role processes' pid files; writes nothing. A loop role counts
 * as running while the daemon is up, even between two items, as its session would.
 */
export function factoryStatus(factory: FactoryConfig, stateDir: string): FactoryStatus {
  const phase = readPhaseState(factory, stateDir);
  const running = runningSessions(stateDir);
  if (runningDaemon(stateDir)) {
    for (const role of factory.roles)
      if (role.enabled && role.kind === "loop") running.add(sessionName(factory, role));
  }
  return {
    file: factory.file ?? null,
    format: factory.format,
    sessionPrefix: factory.sessionPrefix,
    phase: phase ? phaseStatus(phase) : null,
    roles: factory.roles.map((role) => roleStatus(factory, role, phase, running)),
  };
}

/** Sessions with a live process, by their pid files under `.gaffer/factory/pids/`. */
function runningSessions(stateDir: string): Set<string> {
  return new Set(
    readPidFiles(pidDir(stateDir))
      .filter((file) => file.alive)
      .map((file) => file.session),
  );
}

export function phaseStatus(state: PhaseState): PhaseStatus {
  return {
    id: state.phase.id,
    plan: state.phase.plan,
    number: Math.min(state.index + 1, state.count),
    count: state.count,
    state: state.done ? "done" : "in progress",
  };
}

export function formatPhaseLine(phase: PhaseStatus): string {
  return `phase: ${printable(phase.id)} [${phase.number}/${phase.count}] plan=${printable(phase.plan)} (${phase.state})`;
}

/** The phase line (when there are phases) and the role rows, aligned with at least one space. */
export function formatFactoryStatus(status: FactoryStatus): string[] {
  const rows = status.roles.map((role) => {
    const service = role.kind === "service";
    return [
      role.name,
      role.kind,
      role.agent ?? "-",
      role.model ?? "-",
      service ? "-" : role.policy,
      `${role.state === "running" ? "RUNNING" : "stopped"}${role.enabled ? "" : " (disabled)"}`,
    ];
  });
  return [...(status.phase ? [formatPhaseLine(status.phase)] : []), ...alignColumns(rows)];
}

/** Pads every column but the last to its widest cell, one space apart; names are shown printable. */
function alignColumns(table: string[][]): string[] {
  const rows = table.map((row) => row.map((cell) => printable(cell)));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(" "),
  );
}

function roleStatus(
  factory: FactoryConfig,
  role: Role,
  phase: PhaseState | undefined,
  running: Set<string>,
): RoleStatus {
  const service = role.kind === "service";
  const session = sessionName(factory, role);
  return {
    name: role.name,
    kind: role.kind,
    agent: service ? null : (role.agent ?? null),
    model: service ? null : (roleModel(factory, role, phase?.phase) ?? null),
    policy: role.policy,
    enabled: role.enabled,
    session,
    state: running.has(session) ? "running" : "stopped",
  };
}
