import type { EvidenceRepo, ObjectReader, ProposalSummary, WorkRecord } from "../workspace/index.ts";
import type { Conventions } from "../agents/index.ts";
import type { KnownSecret } from "../guard/index.ts";
import type { Item, ProposalFinding, RunGoal } from "../store/index.ts";
import type { RunConfinement } from "./confinement.ts";
import type { KeptSession } from "./kept-session.ts";
import type { RunProcesses } from "./limits.ts";
import type { ModelMeter, PlanLimitStop } from "./model-meter.ts";
import type { OutputMeter } from "./output-meter.ts";
import type { Project } from "./project.ts";
import type { RunObserver, RunRecorder } from "./recorder.ts";
import type { RunStart } from "./run-start.ts";

/** The factory role a run is made for. */
export interface RunRole {
  name: string;
  /** The role's prompt (its kickoff and prompt file), put in the agent's brief. */
  instructions: string | undefined;
  /** After a red gate: a further turn in the same agent session, or a fresh session. */
  continuation: "continue" | "fresh";
}

/** Where nudges come from: the supervisor asks a stalled agent to stop its turn and start over. */
export interface NudgeSource {
  /** Calls `listener` on each nudge until the returned function is called. */
  subscribe(listener: () => void): () => void;
}

/** How a new run is laid out, where the defaults do not fit (a track's phases, the Module-25 commands). */
export interface RunPlan {
  /** The run's branch; `gaffer/<item>-<slug>` by default. */
  branch?: string;
  /** What the run grows from; the default branch's tip by default. */
  base?: { branch: string; commit: string };
  /** What its gate must show; green by default. */
  goal?: RunGoal;
  /** Run the gate on the base first (attempt 0) and give the agent its failure: a red build to heal. */
  gateFirst?: boolean;
  /** Fix attempts after a missed goal; `[gate] max_fix_attempts` by default. */
  maxFixAttempts?: number;
}

export interface RunOptions {
  /** Agent preset name; the config's default when absent. */
  agent?: string;
  role?: RunRole;
  nudges?: NudgeSource;
  signal?: AbortSignal;
  observer?: RunObserver;
  /** How to start the scripted agent as a subprocess: [node, gaffer main, "agent", "scripted"]. */
  scriptedAgentCommand: string[];
}

/**
 * What gaffer's checks find in one attempt's recorded work from its objects alone (changed paths,
 * test tampering, secrets, the proposal's commits): started once the work is recorded, so they
 * run alongside its gate, and read when that work is proposed. Nothing here is recorded until then.
 */
export interface WorkInspection {
  baseCommit: string;
  branch: string;
  /** The recorded work these answers are about: its commit and the branch tip it grew from. */
  commit: string;
  tip: string | null;
  /** The work's objects, each git question asked once (the later checks share the answers). */
  objects: ObjectReader;
  checks: Promise<{
    paths: ProposalFinding[];
    tampering: ProposalFinding[];
    secrets: ProposalFinding[];
    known: KnownSecret[];
  }>;
  description: Promise<ProposalSummary>;
}

/** What one step of the engine can see. */
export interface StepContext {
  project: Project;
  item: Item;
  recorder: RunRecorder;
  options: RunOptions;
  /** What the run's gate must show, as recorded when it was created; green when absent. */
  goal?: RunGoal;
  /** Aborted by the user (Ctrl-C) or by a limit (then `limitReason` says which). */
  signal: AbortSignal;
  /** The run's sandbox, guards and baseline; set once the workspace is prepared. */
  confinement?: RunConfinement;
  /** Why a limit or a budget stopped the run; it then ends failed with this reason. */
  limitReason?: string;
  /** Set when a model's plan limit stopped the run: it then ends interrupted, to resume after the reset. */
  planLimit?: PlanLimitStop;
  /** The run's model traffic, read by gaffer's proxy; set once the workspace is confined. */
  meter?: ModelMeter;
  /** Stops the run at a limit or budget: aborts `signal`, so the turn or gate in flight is cancelled. */
  stop(reason: string): void;
  /** The agent's output so far, against `[limits] output_bytes`. */
  output: OutputMeter;
  /** The processes the run's sandboxes started, against `[limits] processes`. */
  processes: RunProcesses;
  /** The agent session kept open across attempts when the role continues sessions. */
  session?: KeptSession;
  /** The run's start, until its workspace is made: the warm clone taken as the run was created. */
  start?: RunStart;
  /**
   * The warm pool's refill this run owes (`due` once its workspace is made with `[workspace] warm`
   * set), then the refill itself, started once the agent has its brief and awaited as the run ends.
   */
  warmRefill?: "due" | Promise<void>;
  /**
   * Set when the run's workspace was just made at its base and nothing has run in it (no copy or
   * setup step): its first turn starts from the base itself, without recording the workspace. The
   * base's work is looked up while the workspace is confined.
   */
  pristineWorkspace?: Promise<WorkRecord>;
  /** The conventions file in the base, for every brief: read once, while the workspace is confined. */
  conventions?: Promise<Conventions | undefined>;
  /** The run's evidence repository, once opened (see work.ts). */
  evidence?: EvidenceRepo;
  /** The checks on the work the last gate ran on, started with that gate (see verify.ts). */
  inspection?: WorkInspection;
}
