import { GafferError } from "../errors.ts";
import { type EventDef, type EventName, EVENTS, type RunGoal } from "./event-catalogue.ts";
export type { FailureCause, RunGoal } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import { isStopped, RUN_TRANSITIONS, type RunTransitionName, type TransitionData } from "./run-states.ts";
import type { AttemptRow, AttemptState, FeedbackKind, GateResultRow, RunRow, RunState } from "./schema.ts";

/** A run of an agent on an item: see `run-states.ts` for its life. */
export interface Run {
  id: number;
  itemId: number;
  state: RunState;
  agent: string;
  branch: string;
  baseBranch: string;
  baseCommit: string;
  workspace: string;
  /** The attempt under way, or the last one. */
  attempt: number;
  maxFixAttempts: number;
  /** The owner token of the process driving it; null once nobody does. */
  owner: string | null;
  reason: string | null;
  reportPath: string | null;
  sandbox: string;
  /** The factory role it was made for; null for `gaffer run`. */
  role: string | null;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  /** A moved base the run must be rebased onto before its next step (a reaction asked for it). */
  rebaseOnto?: string | null;
}

/** One agent turn and the gate after it. */
export interface Attempt {
  id: number;
  runId: number;
  number: number;
  state: AttemptState;
  stopReason: string | null;
  /** Fingerprint of the workspace when the attempt started. */
  treeHash: string | null;
  /** Whether the turn changed the workspace; null before it ended. */
  changed: boolean | null;
  failureHash: string | null;
  feedback: string | null;
  /** Where the feedback goes in the next brief; null: as the state says. */
  feedbackKind?: FeedbackKind | null;
  /** The evidence commit holding the attempt's work, and its tree; null before it is recorded. */
  commit: string | null;
  tree: string | null;
  startedAt: number;
  endedAt: number | null;
}

export interface GateResult {
  id: number;
  runId: number;
  attempt: number;
  name: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  output: string;
  outputBytes: number;
  outputSha256: string;
  logPath: string | null;
  createdAt: number;
}

export interface NewRun {
  itemId: number;
  agent: string;
  branch: string;
  baseBranch: string;
  baseCommit: string;
  workspace: string;
  maxFixAttempts: number;
  owner: string;
  sandbox: string;
  /** The factory role it is made for. */
  role?: string;
  /** What its gate must show; green by default. */
  goal?: RunGoal;
  /** The gate runs on the base first, as attempt 0, and the agent's first brief has its failure. */
  gateFirst?: boolean;
  /**
   * Ids up to this one are taken, whatever the store says: runs whose state outlived the store's
   * record of them (a damaged WAL lost the last transactions). The new run's id is above it.
   */
  idsTakenUpTo?: number;
}

export async function createRun(db: Db, run: NewRun, now = Date.now()): Promise<Run> {
  return inTransaction(db, async (trx) => {
    const id = run.idsTakenUpTo === undefined ? undefined : await idAbove(trx, run.idsTakenUpTo);
    const row = await trx
      .insertInto("runs")
      .values({
        ...(id !== undefined && { id }),
        item_id: run.itemId,
        state: "preparing",
        agent: run.agent,
        branch: run.branch,
        base_branch: run.baseBranch,
        base_commit: run.baseCommit,
        workspace: run.workspace,
        attempt: 0,
        max_fix_attempts: run.maxFixAttempts,
        owner: run.owner,
        reason: null,
        report_path: null,
        sandbox: run.sandbox,
        role: run.role ?? null,
        created_at: now,
        updated_at: now,
        ended_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const created = toRun(row);
    await appendEvent(
      trx,
      { runId: created.id, itemId: run.itemId },
      EVENTS.runCreated,
      {
        agent: run.agent,
        branch: run.branch,
        base: run.baseBranch,
        baseCommit: run.baseCommit,
        ...(run.role && { role: run.role }),
        ...(run.goal === "red" && { goal: run.goal }),
        ...(run.gateFirst && { gateFirst: true }),
      },
      now,
    );
    if (run.gateFirst) await insertAttempt(trx, created.id, 0, "gating", null, now);
    return created;
  });
}

export async function getRun(db: Db, id: number): Promise<Run> {
  const row = await db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new GafferError("run-not-found", `no run ${id}`, "list the runs with `gaffer runs`");
  return toRun(row);
}

/** Runs oldest first; `last` keeps only the newest that many (still oldest first). */
export async function listRuns(
  db: Db,
  query: { itemId?: number; states?: readonly RunState[]; last?: number } = {},
): Promise<Run[]> {
  let select = db
    .selectFrom("runs")
    .selectAll()
    .orderBy("id", query.last === undefined ? "asc" : "desc");
  if (query.itemId !== undefined) select = select.where("item_id", "=", query.itemId);
  if (query.states) select = select.where("state", "in", [...query.states]);
  if (query.last !== undefined) select = select.limit(query.last);
  const runs = (await select.execute()).map(toRun);
  return query.last === undefined ? runs : runs.reverse();
}

/** The newest `limit` runs with an id below `beforeId` (all, without it), newest first. */
export async function recentRuns(db: Db, query: { beforeId?: number; limit: number }): Promise<Run[]> {
  let select = db.selectFrom("runs").selectAll().orderBy("id", "desc").limit(query.limit);
  if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
  return (await select.execute()).map(toRun);
}

/** How many runs are in each state, counted on the state index without reading the runs. */
export async function countRunsByState(db: Db): Promise<Partial<Record<RunState, number>>> {
  const rows = await db
    .selectFrom("runs")
    .select(["state", (eb) => eb.fn.countAll<number>().as("count")])
    .groupBy("state")
    .execute();
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
}

/**
 * The latest run of each of `itemIds` that has one, by item id. The runs index answers it without
 * reading any other run, so its cost follows the items asked about, not the project's history.
 */
export async function latestRunsOf(db: Db, itemIds: readonly number[]): Promise<Map<number, Run>> {
  const latest = new Map<number, Run>();
  for (let start = 0; start < itemIds.length; start += 500) {
    const chunk = itemIds.slice(start, start + 500);
    const rows = await db
      .selectFrom("runs")
      .selectAll()
      .where("id", "in", (eb) =>
        eb
          .selectFrom("runs")
          .select((inner) => inner.fn.max<number>("id").as("latest"))
          .where("item_id", "in", chunk)
          .groupBy("item_id"),
      )
      .execute();
    for (const row of rows) latest.set(row.item_id, toRun(row));
  }
  return latest;
}

/** What a transition may change beside the state: the run's columns, camelCase. */
export type RunChanges = Partial<
  Pick<
    Run,
    | "agent"
    | "workspace"
    | "attempt"
    | "owner"
    | "reason"
    | "reportPath"
    | "sandbox"
    | "endedAt"
    | "baseCommit"
    | "rebaseOnto"
  >
>;

export interface Move<T extends RunTransitionName> {
  /** The owner token the run must hold; a mismatch means another process took the run. */
  owner?: string | null;
  set?: RunChanges;
  data: TransitionData<T>;
}

/**
 * Moves a run along one of RUN_TRANSITIONS and appends its event, in one transaction. The
 * from-states are in the UPDATE's guard, so a run changed by anyone else is detected, not assumed.
 */
export async function moveRun<T extends RunTransitionName>(
  db: Db,
  runId: number,
  name: T,
  move: Move<T>,
  now = Date.now(),
): Promise<Run> {
  const transition = RUN_TRANSITIONS[name];
  return inTransaction(db, async (trx) => {
    const set = move.set ?? {};
    let update = trx
      .updateTable("runs")
      .set({
        ...(set.agent !== undefined && { agent: set.agent }),
        ...(set.workspace !== undefined && { workspace: set.workspace }),
        ...(set.attempt !== undefined && { attempt: set.attempt }),
        ...(set.owner !== undefined && { owner: set.owner }),
        ...(set.reason !== undefined && { reason: set.reason }),
        ...(set.reportPath !== undefined && { report_path: set.reportPath }),
        ...(set.sandbox !== undefined && { sandbox: set.sandbox }),
        ...(set.endedAt !== undefined && { ended_at: set.endedAt }),
        ...(set.baseCommit !== undefined && { base_commit: set.baseCommit }),
        ...(set.rebaseOnto !== undefined && { rebase_onto: set.rebaseOnto }),
        state: transition.to,
        updated_at: now,
        ...(isStopped(transition.to) && { ended_at: now }),
      })
      .where("id", "=", runId)
      .where("state", "in", [...transition.from]);
    if (move.owner !== undefined)
      update =
        move.owner === null ? update.where("owner", "is", null) : update.where("owner", "=", move.owner);
    const row = await update.returningAll().executeTakeFirst();
    if (!row) {
      const current = await trx
        .selectFrom("runs")
        .select(["state", "owner"])
        .where("id", "=", runId)
        .executeTakeFirst();
      throw new GafferError(
        "lease-lost",
        `run ${runId} cannot move to ${transition.to}: it is ${current ? `${current.state} (owner ${current.owner ?? "none"})` : "gone"}`,
        "another gaffer process may own this run; check `gaffer runs`",
      );
    }
    const run = toRun(row);
    // The table pairs each transition with its event, whose payload is the state and TransitionData<T>.
    const event = transition.event as EventDef<EventName, object>;
    await appendEvent(trx, { runId, itemId: run.itemId }, event, { state: transition.to, ...move.data }, now);
    return run;
  });
}

/**
 * Starts attempt `number` (run.attempt + 1 for a new one), or restarts an attempt that a crash or a
 * cancel cut short. A restarted attempt keeps the workspace fingerprint from its first start.
 */
export async function startAttempt(
  db: Db,
  run: Run,
  owner: string,
  attempt: { number: number; treeHash: string },
  now = Date.now(),
): Promise<Attempt> {
  return inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom("attempts")
      .selectAll()
      .where("run_id", "=", run.id)
      .where("number", "=", attempt.number)
      .executeTakeFirst();
    await moveRun(
      trx,
      run.id,
      existing ? "restartAttempt" : "startAttempt",
      { owner, set: { attempt: attempt.number }, data: { attempt: attempt.number } },
      now,
    );
    const row = existing
      ? await trx
          .updateTable("attempts")
          .set({ state: "agent", stop_reason: null, changed: null, ended_at: null })
          .where("id", "=", existing.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await insertAttempt(trx, run.id, attempt.number, "agent", attempt.treeHash, now);
    return toAttempt(row);
  });
}

/** Adds attempt `number` straight to the gate, with no agent turn: a clean rebase's work is judged as it is. */
export async function addGatingAttempt(
  db: Db,
  runId: number,
  number: number,
  now = Date.now(),
): Promise<void> {
  await insertAttempt(db, runId, number, "gating", null, now);
}

async function insertAttempt(
  db: Db,
  runId: number,
  number: number,
  state: AttemptState,
  treeHash: string | null,
  now: number,
): Promise<AttemptRow> {
  return db
    .insertInto("attempts")
    .values({
      run_id: runId,
      number,
      state,
      stop_reason: null,
      tree_hash: treeHash,
      changed: null,
      failure_hash: null,
      feedback: null,
      commit_sha: null,
      tree: null,
      started_at: now,
      ended_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateAttempt(
  db: Db,
  runId: number,
  number: number,
  changes: {
    state: AttemptState;
    stopReason?: string;
    changed?: boolean;
    failureHash?: string;
    feedback?: string;
    feedbackKind?: FeedbackKind | null;
    /** The recorded work the gate runs on: an evidence commit and its tree. */
    work?: { commit: string; tree: string };
  },
  now = Date.now(),
): Promise<void> {
  const ends = changes.state !== "agent" && changes.state !== "gating";
  await db
    .updateTable("attempts")
    .set({
      state: changes.state,
      ...(changes.changed !== undefined && { changed: changes.changed ? 1 : 0 }),
      ...(changes.stopReason !== undefined && { stop_reason: changes.stopReason }),
      ...(changes.failureHash !== undefined && { failure_hash: changes.failureHash }),
      ...(changes.feedback !== undefined && { feedback: changes.feedback }),
      ...(changes.feedbackKind !== undefined && { feedback_kind: changes.feedbackKind }),
      ...(changes.work !== undefined && { commit_sha: changes.work.commit, tree: changes.work.tree }),
      ...(ends && { ended_at: now }),
    })
    .where("run_id", "=", runId)
    .where("number", "=", number)
    .execute();
}

export async function listAttempts(db: Db, runId: number): Promise<Attempt[]> {
  const rows = await db
    .selectFrom("attempts")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("number")
    .execute();
  return rows.map(toAttempt);
}

export interface NewGateResult {
  runId: number;
  attempt: number;
  name: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  output: string;
  outputBytes: number;
  outputSha256: string;
  logPath: string | null;
}

export async function recordGateResult(db: Db, result: NewGateResult, now = Date.now()): Promise<void> {
  await db
    .insertInto("gate_results")
    .values({
      run_id: result.runId,
      attempt: result.attempt,
      name: result.name,
      command: result.command,
      exit_code: result.exitCode,
      signal: result.signal,
      timed_out: result.timedOut ? 1 : 0,
      duration_ms: result.durationMs,
      output: result.output,
      output_bytes: result.outputBytes,
      output_sha256: result.outputSha256,
      log_path: result.logPath,
      created_at: now,
    })
    .execute();
}

export async function listGateResults(db: Db, runId: number, attempt?: number): Promise<GateResult[]> {
  let select = db.selectFrom("gate_results").selectAll().where("run_id", "=", runId).orderBy("id");
  if (attempt !== undefined) select = select.where("attempt", "=", attempt);
  return (await select.execute()).map(toGateResult);
}

function toRun(row: RunRow): Run {
  return {
    id: Number(row.id),
    itemId: row.item_id,
    state: row.state,
    agent: row.agent,
    branch: row.branch,
    baseBranch: row.base_branch,
    baseCommit: row.base_commit,
    workspace: row.workspace,
    attempt: row.attempt,
    maxFixAttempts: row.max_fix_attempts,
    owner: row.owner,
    reason: row.reason,
    reportPath: row.report_path,
    sandbox: row.sandbox,
    role: row.role,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    endedAt: optionalNumber(row.ended_at),
    rebaseOnto: row.rebase_onto ?? null,
  };
}

function toAttempt(row: AttemptRow): Attempt {
  return {
    id: Number(row.id),
    runId: row.run_id,
    number: row.number,
    state: row.state,
    stopReason: row.stop_reason,
    treeHash: row.tree_hash,
    changed: row.changed === null ? null : row.changed === 1,
    failureHash: row.failure_hash,
    feedback: row.feedback,
    feedbackKind: row.feedback_kind ?? null,
    commit: row.commit_sha,
    tree: row.tree,
    startedAt: Number(row.started_at),
    endedAt: optionalNumber(row.ended_at),
  };
}

function toGateResult(row: GateResultRow): GateResult {
  return {
    id: Number(row.id),
    runId: row.run_id,
    attempt: row.attempt,
    name: row.name,
    command: row.command,
    exitCode: row.exit_code,
    signal: row.signal,
    timedOut: row.timed_out === 1,
    durationMs: row.duration_ms,
    output: row.output,
    outputBytes: row.output_bytes,
    outputSha256: row.output_sha256,
    logPath: row.log_path,
    createdAt: Number(row.created_at),
  };
}

/** SQLite hands back big integers as numbers or bigints depending on the driver. */
function optionalNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}

/** The next run id above both the store's highest and `taken`. */
async function idAbove(db: Db, taken: number): Promise<number> {
  const { max } = await db
    .selectFrom("runs")
    .select((eb) => eb.fn.max("id").as("max"))
    .executeTakeFirstOrThrow();
  return Math.max(Number(max ?? 0), taken) + 1;
}
