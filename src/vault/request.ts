import type { Reason, Tier } from "./tier.ts";

/** Who asked: a role (operator, or a factory role), the identity at the keyboard, the run it is about. */
export interface Requester {
  role: string;
  identity?: string | undefined;
  run?: number | undefined;
}

/**
 * What a merge request merges: a run's proposal as gaffer recorded it, or a branch gaffer grew
 * from its runs' proposals (a Conductor track's, with no `run` of its own), and what its diff touches.
 */
export interface MergeTarget {
  /** The run whose proposal it is; absent for a track's branch. */
  run?: number;
  item?: number;
  branch: string;
  /** The proposal's (or the track's) base and head commits: what was tested. */
  base: string;
  head: string;
  /** The branch it merges into: the project's default branch. */
  into: string;
  paths: string[];
  lines: number;
  files: number;
}

/** What a publish request publishes: the proposal, pushed as `branch` and proposed as a draft pull request into `into`. */
export interface PublishTarget {
  run: number;
  item: number;
  /** The item's issue on the forge, when it came from one: the pull request links it. */
  issue: number | undefined;
  branch: string;
  base: string;
  head: string;
  into: string;
  /** `acme/app on github.com`. */
  forge: string;
}

/** What a formula action runs with, from its disinto action file. */
export interface FormulaSpec {
  /** The formula: its [tiers] key and its [vault.formulas.<name>] command. */
  name: string;
  mounts: string[];
  model?: string;
  tools: string[];
  timeoutMinutes: number;
}

/**
 * An action: anything with effects beyond a proposal. Written once when requested and never
 * changed; its state is the folder it is in, its history is in the audit log.
 * - merge: gaffer merges a run's proposal, or a track's branch
 * - publish: gaffer pushes a run's proposal to the forge and opens a draft pull request
 * - formula: the command gaffer.toml gives the formula runs
 */
export type ActionRequest = RequestFacts &
  (
    | { kind: "merge"; merge: MergeTarget }
    | { kind: "publish"; publish: PublishTarget }
    | { kind: "formula"; formula: FormulaSpec }
  );

interface RequestFacts {
  id: string;
  context: string;
  requestedBy: Requester;
  requestedAt: number;
  /** The only secrets the action gets. */
  secrets: string[];
  /** The tier the request asked for (disinto's blast_radius). */
  blastRadius?: Tier;
  tier: Tier;
  reasons: Reason[];
  /** medium: when the review window ends (ms since the epoch). */
  reviewBy?: number;
}

/** What an executed action left: disinto's result fields, plus what gaffer knows of it. */
export interface ActionResult {
  id: string;
  exit_code: number | null;
  /** ISO time the action finished. */
  timestamp: string;
  /** The end of its output, secrets redacted (disinto keeps the last 1,000 characters). */
  logs: string;
  duration_ms: number;
  /** For a merge: what was merged where. */
  merge?: {
    into: string;
    from: string;
    head: string;
    commit: string;
    snapshot: string | null;
    worktree: string | null;
    /** A merge through the forge: the pull request. */
    pull?: number;
  };
  /** For a publish: what was pushed, and the pull request. */
  publish?: { head: string; pull: number; url: string };
}
