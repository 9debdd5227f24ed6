import { GafferError } from "../errors.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import type { AttemptRow, AttemptState, GateResultRow, RunRow, RunState, RunUpdate } from "./schema.ts";

export type Run = RunRow & { id: number };
export type Attempt = AttemptRow & { id: number };
export type GateResult = GateResultRow & { id: number; timedOut: boolean };

export const ACTIVE_STATES: readonly RunState[] = ["preparing", "agent", "gating", "proposing"];
export const RESUMABLE_STATES: readonly RunState[] = ["cancelled", "interrupted", "revising"];
export const TERMINAL_STATES: readonly RunState[] = ["proposed", "failed", "gave-up", "discarded"];

/**
 * Who a failed run is down to, as its `run.failed` event records it: the machine it ran on (a
 * full disk, an agent killed by the system, a sandbox that would not start), which the factory
 * retries, or the agent's work (a limit, a guard or integrity verdict), which stays failed.
 */
export type FailureCause = "infrastructure" | "agent";

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
      {
        runId: created.id,
        itemId: run.itemId,
        type: "run.created",
        data: {
          agent: run.agent,
          branch: run.branch,
          base: run.baseBranch,
          baseCommit: run.baseCommit,
          ...(run.role && { role: run.role }),
        },
      },
      now,
    );
    return created;
  });
}

export async function getRun(db: Db, id: number): Promise<Run> {
  const row = await db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new GafferError("run-not-found", `no run ${id}`, "list the runs with `gaffer runs`");
  return toRun(row);
}

export async function listRuns(
  db: Db,
  query: { itemId?: number; states?: readonly RunState[] } = {},
): Promise<Run[]> {
  let select = db.selectFrom("runs").selectAll().orderBy("id", "asc");
  if (query.itemId !== undefined) select = select.where("item_id", "=", query.itemId);
  if (query.states) select = select.where("state", "in", [...query.states]);
  return (await select.execute()).map(toRun);
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

export interface Transition {
  from: readonly RunState[];
  to: RunState;
  /** The owner token the run must hold; a mismatch means another process took the run. */
  owner?: string | null;
  set?: Omit<RunUpdate, "id" | "state" | "updated_at">;
  event: string;
  data?: Record<string, unknown>;
}

/**
 * Moves a run from one of `from` to `to` and appends the event, in one transaction.
 * The guard is inside the UPDATE, so a run changed by anyone else is detected, not assumed.
 */
export async function transitionRun(db: Db, runId: number, t: Transition, now = Date.now()): Promise<Run> {
  return inTransaction(db, async (trx) => {
    let update = trx
      .updateTable("runs")
      .set({
        ...t.set,
        state: t.to,
        updated_at: now,
        ...(TERMINAL_STATES.includes(t.to) || RESUMABLE_STATES.includes(t.to) ? { ended_at: now } : {}),
      })
      .where("id", "=", runId)
      .where("state", "in", [...t.from]);
    if (t.owner !== undefined)
      update = t.owner === null ? update.where("owner", "is", null) : update.where("owner", "=", t.owner);
    const row = await update.returningAll().executeTakeFirst();
    if (!row) {
      const current = await trx
        .selectFrom("runs")
        .select(["state", "owner"])
        .where("id", "=", runId)
        .executeTakeFirst();
      throw new GafferError(
        "lease-lost",
        `run ${runId} cannot move to ${t.to}: it is ${current ? `${current.state} (owner ${current.owner ?? "none"})` : "gone"}`,
        "another gaffer process may own this run; check `gaffer runs`",
      );
    }
    const run = toRun(row);
    await appendEvent(
      trx,
      { runId, itemId: run.item_id, type: t.event, data: { state: t.to, ...t.data } },
      now,
    );
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
    await transitionRun(
      trx,
      run.id,
      {
        from: ACTIVE_STATES,
        to: "agent",
        owner,
        set: { attempt: attempt.number },
        event: existing ? "attempt.restarted" : "attempt.started",
        data: { attempt: attempt.number },
      },
      now,
    );
    const row = existing
      ? await trx
          .updateTable("attempts")
          .set({ state: "agent", stop_reason: null, changed: null, ended_at: null })
          .where("id", "=", existing.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto("attempts")
          .values({
            run_id: run.id,
            number: attempt.number,
            state: "agent",
            stop_reason: null,
            tree_hash: attempt.treeHash,
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
    return toAttempt(row);
  });
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
  return (await select.execute()).map((row) => ({
    ...row,
    id: Number(row.id),
    timedOut: row.timed_out === 1,
  }));
}

function toRun(row: RunRow): Run {
  return {
    ...row,
    id: Number(row.id),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    ended_at: row.ended_at === null ? null : Number(row.ended_at),
  };
}

function toAttempt(row: AttemptRow): Attempt {
  return {
    ...row,
    id: Number(row.id),
    started_at: Number(row.started_at),
    ended_at: row.ended_at === null ? null : Number(row.ended_at),
  };
}

/** The next run id above both the store's highest and `taken`. */
async function idAbove(db: Db, taken: number): Promise<number> {
  const { max } = await db
    .selectFrom("runs")
    .select((eb) => eb.fn.max("id").as("max"))
    .executeTakeFirstOrThrow();
  return Math.max(Number(max ?? 0), taken) + 1;
}
