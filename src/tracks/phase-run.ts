import {
  type Project,
  type RunNotice,
  type RunObserver,
  type RunResult,
  type RunRole,
  resumeRun,
  startRun,
} from "../engine/index.ts";
import { withClaim } from "../factory/index.ts";
import type { GateCommand } from "../gate/index.ts";
import { type Attempt, EVENTS, listAttempts } from "../store/index.ts";
import type { TrackPhase } from "./state.ts";

/** One phase of a task (or the completion gate) as one gaffer run. */
export interface PhaseSpec {
  phase: TrackPhase;
  itemId: number;
  /** The run's own branch, where its raw commits are kept. */
  branch: string;
  base: { branch: string; commit: string };
  /** What the run's gate is: the test command in a red phase, the gate or the completion gate otherwise. */
  gate: GateCommand[];
  maxFixAttempts: number;
  role: RunRole;
  agent: string | undefined;
  /** The track's own files, which no run may change. */
  denyPaths: string[];
}

export interface PhaseOptions {
  signal: AbortSignal;
  observer?: RunObserver;
  scriptedAgentCommand: string[];
}

/**
 * Runs a phase through gaffer's engine — sandbox, gate, heal loop, integrity checks, proposal —
 * or resumes its run. A red phase's run must see its gate fail; a green phase and the completion
 * gate run the gate first on their base, so the agent starts from the failure it must fix.
 * `onRun` hears the run's id as soon as it exists, before any agent time is spent.
 */
export async function runPhase(
  project: Project,
  spec: PhaseSpec,
  options: PhaseOptions,
  resume: boolean,
  onRun: (runId: number) => void,
): Promise<RunResult> {
  const configured: Project = {
    ...project,
    config: {
      ...project.config,
      gate: { ...project.config.gate, commands: spec.gate },
      guard: {
        ...project.config.guard,
        denyPaths: [...(project.config.guard.denyPaths ?? []), ...spec.denyPaths],
      },
    },
  };
  const observer: RunObserver = {
    onNotice(notice: RunNotice) {
      if (notice.type === EVENTS.runCreated.name || notice.type === EVENTS.runResumed.name)
        onRun(notice.runId);
      options.observer?.onNotice(notice);
    },
  };
  return withClaim(project, spec.itemId, (lost) => {
    const runOptions = {
      signal: AbortSignal.any([options.signal, lost]),
      observer,
      role: spec.role,
      scriptedAgentCommand: options.scriptedAgentCommand,
      ...(spec.agent && { agent: spec.agent }),
    };
    if (resume) return resumeRun(configured, spec.itemId, runOptions);
    return startRun(configured, spec.itemId, runOptions, {
      branch: spec.branch,
      base: spec.base,
      maxFixAttempts: spec.maxFixAttempts,
      ...(spec.phase === "red" ? { goal: "red" as const } : { gateFirst: true }),
    });
  });
}

/** The agent turns of a run that missed its goal: a gate that did not show what it must, or no change at all. */
export async function missedAttempts(project: Project, runId: number): Promise<Attempt[]> {
  return (await listAttempts(project.store.db, runId)).filter(
    (attempt) => attempt.number >= 1 && (attempt.state === "red" || attempt.state === "no-change"),
  );
}
