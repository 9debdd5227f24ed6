import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * The store's tables. Times are milliseconds since the epoch; lists and objects are JSON text.
 * Only `src/store` reads these rows raw: the repositories hand out parsed records.
 */
export interface Database {
  items: ItemsTable;
  runs: RunsTable;
  attempts: AttemptsTable;
  gate_results: GateResultsTable;
  events: EventsTable;
  proposals: ProposalsTable;
  usage: UsageTable;
  model_requests: ModelRequestsTable;
  claims: ClaimsTable;
  reviews: ReviewsTable;
  tracker_items: TrackerItemsTable;
  tracker_cursors: TrackerCursorsTable;
  tokens: TokensTable;
  forge_pulls: ForgePullsTable;
  forge_feedback: ForgeFeedbackTable;
}

/**
 * - open: waiting for a run, or being worked
 * - parked: open on its forge, but not gaffer's to take (not labelled ready, held back by a label,
 *   or claimed by someone else); the factory leaves it alone and its dependents wait
 * - closed: done
 */
export type ItemState = "open" | "parked" | "closed";

export interface ItemsTable {
  id: Generated<number>;
  title: string;
  body: string;
  labels: string;
  priority: number;
  depends_on: string;
  state: ItemState;
  source: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * A run's life. Terminal: proposed, failed, gave-up, discarded. Resumable: cancelled, interrupted, revising.
 * - preparing: the workspace is being cloned and set up
 * - agent: the agent is working on attempt `attempt`
 * - gating: gaffer runs the gate on attempt `attempt`
 * - proposing: the gate is green; gaffer commits and records the proposal
 * - proposed: a proposal branch exists; nothing was merged
 * - failed: the agent or the gate could not run (crash, missing tool, no change at all)
 * - gave-up: the heal loop ended without a green gate; a failure report was written
 * - cancelled: stopped by the user; the workspace is kept
 * - interrupted: the gaffer process died; found at the next start
 * - revising: proposed, then a reviewer asked for changes; a builder resumes it with the findings
 * - discarded: the workspace was snapshotted and removed
 */
export type RunState =
  | "preparing"
  | "agent"
  | "gating"
  | "proposing"
  | "proposed"
  | "failed"
  | "gave-up"
  | "cancelled"
  | "interrupted"
  | "revising"
  | "discarded";

export interface RunsTable {
  id: Generated<number>;
  item_id: number;
  state: RunState;
  agent: string;
  branch: string;
  base_branch: string;
  base_commit: string;
  workspace: string;
  attempt: number;
  max_fix_attempts: number;
  owner: string | null;
  reason: string | null;
  report_path: string | null;
  sandbox: string;
  /** The factory role the run was made for; null for `gaffer run`. */
  role: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  /** A moved base the run must be rebased onto before its next step; null: none. */
  rebase_onto: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * One agent turn and the gate after it.
 * - agent: the agent is working
 * - gating: the gate is running on its result
 * - green / red: the gate's verdict
 * - no-change: the turn changed nothing, so the gate was not run
 * - error: the agent or gate could not run
 * - changes-requested: green, proposed, then a reviewer asked for changes (its findings are the feedback)
 */
export type AttemptState = "agent" | "gating" | "green" | "red" | "no-change" | "error" | "changes-requested";

/**
 * Where an attempt's feedback goes in the next brief: a failed check on the forge (as a failure),
 * a review on the forge (as a review), a rebase gaffer made (as a note). Null: as the state says
 * (red: a failure; changes-requested: the factory reviewer's findings).
 */
export type FeedbackKind = "ci" | "review" | "rebase";

export interface AttemptsTable {
  id: Generated<number>;
  run_id: number;
  number: number;
  state: AttemptState;
  stop_reason: string | null;
  /** Fingerprint of the workspace when the attempt started. */
  tree_hash: string | null;
  /** 1 when the agent's turn changed the workspace, 0 when it did not, null before the turn ended. */
  changed: number | null;
  failure_hash: string | null;
  feedback: string | null;
  feedback_kind: ColumnType<FeedbackKind | null, FeedbackKind | null | undefined, FeedbackKind | null>;
  /** The commit of gaffer's evidence repository that holds the attempt's work; null before it is recorded. */
  commit_sha: string | null;
  /** That commit's tree: what the gate ran on, the checks read and a proposal names. */
  tree: string | null;
  started_at: number;
  ended_at: number | null;
}

export interface GateResultsTable {
  id: Generated<number>;
  run_id: number;
  attempt: number;
  name: string;
  command: string;
  exit_code: number | null;
  signal: string | null;
  timed_out: number;
  duration_ms: number;
  output: string;
  output_bytes: number;
  output_sha256: string;
  log_path: string | null;
  created_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  run_id: number | null;
  item_id: number | null;
  type: string;
  at: number;
  data: ColumnType<string, string, never>;
}

export interface ProposalsTable {
  run_id: number;
  item_id: number;
  branch: string;
  base_commit: string;
  head_commit: string;
  commits: string;
  diff_stat: string;
  evidence: string;
  /** JSON list of integrity findings flagged on the proposal. */
  findings: string;
  /** How the run was confined: "bwrap", or "none: <why>". */
  sandbox: string;
  /** The tree the gate ran on and the proposal's head holds; null for proposals made before it was recorded. */
  tree: string | null;
  /** JSON of the environment the gate saw (GateEnvironment); null when not recorded. */
  environment: string | null;
  /** The reviewer's verdict: null (none yet or no reviewer), "approved" or "changes-requested". */
  review: string | null;
  created_at: number;
}

/**
 * A lease on an item: one role works it until the lease lapses. The holder renews it with
 * heartbeats; an expired claim returns the item, and its workspace, to the queue.
 * - duty build: a builder run; review: a reviewer on the item's proposal (`run_id`)
 */
export interface ClaimsTable {
  item_id: number;
  role: string;
  duty: "build" | "review";
  run_id: number | null;
  holder: string;
  heartbeat_at: number;
  expires_at: number;
  created_at: number;
}

/** An item that is a forge's issue. */
export interface TrackerItemsTable {
  item_id: number;
  /** The tracker's key: kind, API URL and repository. */
  tracker: string;
  number: number;
  url: string;
  /** A hash of what the forge last said of the issue: a sync applies only what changed since. */
  fingerprint: string;
  /** The state the forge's issue last called for. */
  seen: ItemState;
  /** Why the item is parked, when it is. */
  reason: string | null;
}

/** How far a tracker's sync has read: issues updated since `since` are read next time. */
export interface TrackerCursorsTable {
  tracker: string;
  since: string | null;
  synced_at: number;
}

/** A reviewer's verdict on a proposal, one per round. */
export interface ReviewsTable {
  id: Generated<number>;
  run_id: number;
  round: number;
  role: string;
  head_commit: string;
  verdict: "approve" | "request-changes";
  summary: string;
  /** JSON list of { file, line, severity, text }. */
  findings: string;
  created_at: number;
}

/**
 * Where an attempt's cost comes from:
 * - reported: the agent reported its session's cost in USD
 * - priced: the agent reported tokens, priced from `[prices]`
 * - unpriced: neither; the cost is unknown (null)
 */
export type UsageSource = "reported" | "priced" | "unpriced";

/** One agent attempt's usage (a resumed attempt that is replayed gets a second row: both sessions cost). */
export interface UsageTable {
  id: Generated<number>;
  run_id: number;
  item_id: number;
  attempt: number;
  agent: string;
  /** The factory role that spent it (a reviewer's turn is on the run it reviews); null outside the factory. */
  role: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  source: UsageSource;
  /**
   * 1 when the attempt's model traffic went through gaffer's proxy: its model_requests rows are what
   * it used and cost, and the tokens and cost here (the agent's own report) are a cross-check.
   */
  metered: number;
  at: number;
}

/** One model request gaffer's proxy carried, as its answer told it; token classes do not overlap. */
export interface ModelRequestsTable {
  id: Generated<number>;
  run_id: number;
  item_id: number;
  /** The attempt in progress when the answer ended (a reviewer's: the run's attempt). */
  attempt: number;
  agent: string;
  role: string | null;
  /** As the agent asked for it: host or host:port. */
  host: string;
  api: string;
  model: string | null;
  status: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Null: its model has no price. */
  cost_usd: number | null;
  at: number;
}

/** A published run's pull request, which gaffer watches while it is open. */
export interface ForgePullsTable {
  run_id: number;
  item_id: number;
  /** The tracker's key. */
  tracker: string;
  number: number;
  url: string;
  /** The branch it merges into. */
  base: string;
  /** The commit gaffer last pushed for it. */
  head: string;
  /** open, merged or closed (without a merge). */
  state: "open" | "merged" | "closed";
  /** The head whose checks gaffer last judged, and their verdict: failure, success, or none (no check at all). */
  ci_head: string | null;
  ci_verdict: "failure" | "success" | "none" | null;
  /** The base branch's tip on the forge and the head it was compared with, when gaffer last looked. */
  base_tip: string | null;
  /** The pull request's `updated_at` when gaffer last read its reviews and comments. */
  seen_updated: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * One thing that happened on a watched pull request, once: a head's failed checks, a review, a
 * comment, a moved base, an approval. Kept with what gaffer did about it.
 * - new: received, not yet acted on (its run is busy, say)
 * - sent: went to the agent in `attempt`
 * - skipped: nothing was done, for `reason`
 * - escalated: handed to a human (label, comment, notify), for `reason`
 */
export interface ForgeFeedbackTable {
  id: Generated<number>;
  run_id: number;
  /** Unique per run: `ci:<head>`, `review:<id>`, `comment:<id>`, `review-comment:<id>`, `base:<tip>`. */
  key: string;
  kind: "ci-failed" | "changes-requested" | "review-comment" | "merge-conflict" | "approved";
  head: string | null;
  author: string | null;
  body: string;
  /** `path:line` of a comment on the diff. */
  location: string | null;
  url: string | null;
  state: "new" | "sent" | "skipped" | "escalated";
  reason: string | null;
  attempt: number | null;
  /** 1 once gaffer answered it on the forge. */
  answered: number;
  created_at: number;
  updated_at: number;
}

/** A dashboard token: who acts with it, and the SHA-256 of its secret. */
export interface TokensTable {
  id: Generated<number>;
  name: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export type ItemRow = Selectable<ItemsTable>;
export type NewItemRow = Insertable<ItemsTable>;
export type ItemUpdate = Updateable<ItemsTable>;
export type RunRow = Selectable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
export type AttemptRow = Selectable<AttemptsTable>;
export type GateResultRow = Selectable<GateResultsTable>;
export type EventRow = Selectable<EventsTable>;
export type ProposalRow = Selectable<ProposalsTable>;
