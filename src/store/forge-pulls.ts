import type { Selectable } from "kysely";
import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import { moveRun, type Run, updateAttempt } from "./runs.ts";
import type { FeedbackKind, ForgeFeedbackTable, ForgePullsTable } from "./schema.ts";

/** A published run's pull request, as gaffer watches it. */
export interface WatchedPull {
  runId: number;
  itemId: number;
  tracker: string;
  number: number;
  url: string;
  base: string;
  /** The commit gaffer last pushed. */
  head: string;
  state: ForgePullsTable["state"];
  ciHead: string | null;
  ciVerdict: ForgePullsTable["ci_verdict"];
  baseTip: string | null;
  seenUpdated: string | null;
}

export type FeedbackState = ForgeFeedbackTable["state"];
export type FeedbackEventKind = ForgeFeedbackTable["kind"];

/** One thing that happened on a watched pull request. */
export interface Feedback {
  runId: number;
  key: string;
  kind: FeedbackEventKind;
  head: string | null;
  author: string | null;
  body: string;
  location: string | null;
  url: string | null;
  state: FeedbackState;
  reason: string | null;
  attempt: number | null;
  answered: boolean;
  createdAt: number;
}

export type NewFeedback = Pick<Feedback, "key" | "kind" | "head" | "author" | "body" | "location" | "url">;

/** Starts (or goes on) watching a run's pull request: its number and the head gaffer pushed. */
export async function watchPull(
  db: Db,
  pull: Pick<WatchedPull, "runId" | "itemId" | "tracker" | "number" | "url" | "base" | "head">,
  now = Date.now(),
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const known = await trx
      .selectFrom("forge_pulls")
      .select("run_id")
      .where("run_id", "=", pull.runId)
      .executeTakeFirst();
    if (known) {
      await trx
        .updateTable("forge_pulls")
        .set({
          number: pull.number,
          url: pull.url,
          base: pull.base,
          head: pull.head,
          state: "open",
          updated_at: now,
        })
        .where("run_id", "=", pull.runId)
        .execute();
      return;
    }
    await trx
      .insertInto("forge_pulls")
      .values({
        run_id: pull.runId,
        item_id: pull.itemId,
        tracker: pull.tracker,
        number: pull.number,
        url: pull.url,
        base: pull.base,
        head: pull.head,
        state: "open",
        ci_head: null,
        ci_verdict: null,
        base_tip: null,
        seen_updated: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
}

/** The pull requests gaffer watches on a tracker: the open ones, or all. */
export async function watchedPulls(db: Db, tracker: string, all = false): Promise<WatchedPull[]> {
  let select = db.selectFrom("forge_pulls").selectAll().where("tracker", "=", tracker).orderBy("run_id");
  if (!all) select = select.where("state", "=", "open");
  return (await select.execute()).map(toPull);
}

export async function watchedPullOf(db: Db, runId: number): Promise<WatchedPull | undefined> {
  const row = await db.selectFrom("forge_pulls").selectAll().where("run_id", "=", runId).executeTakeFirst();
  return row && toPull(row);
}

export async function updateWatchedPull(
  db: Db,
  runId: number,
  changes: Partial<Pick<WatchedPull, "state" | "ciHead" | "ciVerdict" | "baseTip" | "head" | "seenUpdated">>,
  now = Date.now(),
): Promise<void> {
  await db
    .updateTable("forge_pulls")
    .set({
      ...(changes.state !== undefined && { state: changes.state }),
      ...(changes.ciHead !== undefined && { ci_head: changes.ciHead }),
      ...(changes.ciVerdict !== undefined && { ci_verdict: changes.ciVerdict }),
      ...(changes.baseTip !== undefined && { base_tip: changes.baseTip }),
      ...(changes.head !== undefined && { head: changes.head }),
      ...(changes.seenUpdated !== undefined && { seen_updated: changes.seenUpdated }),
      updated_at: now,
    })
    .where("run_id", "=", runId)
    .execute();
}

/**
 * Records what is new among `entries` (by key: each thing is received once, however often the
 * forge shows it), with an `EVENTS.forgePullEvent` each, and returns the new ones.
 */
export async function receiveFeedback(
  db: Db,
  pull: Pick<WatchedPull, "runId" | "itemId" | "number">,
  entries: readonly NewFeedback[],
  now = Date.now(),
): Promise<Feedback[]> {
  if (entries.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const known = new Set(
      (
        await trx
          .selectFrom("forge_feedback")
          .select("key")
          .where("run_id", "=", pull.runId)
          .where(
            "key",
            "in",
            entries.map((e) => e.key),
          )
          .execute()
      ).map((row) => row.key),
    );
    const fresh: Feedback[] = [];
    for (const entry of entries) {
      if (known.has(entry.key)) continue;
      known.add(entry.key);
      await trx
        .insertInto("forge_feedback")
        .values({
          run_id: pull.runId,
          key: entry.key,
          kind: entry.kind,
          head: entry.head,
          author: entry.author,
          body: entry.body,
          location: entry.location,
          url: entry.url,
          state: "new",
          reason: null,
          attempt: null,
          answered: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await appendEvent(
        trx,
        { runId: pull.runId, itemId: pull.itemId },
        EVENTS.forgePullEvent,
        { pull: pull.number, kind: entry.kind, key: entry.key, head: entry.head, author: entry.author },
        now,
      );
      fresh.push({
        ...entry,
        runId: pull.runId,
        state: "new",
        reason: null,
        attempt: null,
        answered: false,
        createdAt: now,
      });
    }
    return fresh;
  });
}

export async function listFeedback(
  db: Db,
  runId: number,
  query: { state?: FeedbackState; kinds?: readonly FeedbackEventKind[] } = {},
): Promise<Feedback[]> {
  let select = db.selectFrom("forge_feedback").selectAll().where("run_id", "=", runId).orderBy("id");
  if (query.state) select = select.where("state", "=", query.state);
  if (query.kinds) select = select.where("kind", "in", [...query.kinds]);
  return (await select.execute()).map(toFeedback);
}

/** Marks feedback as dealt with: sent in an attempt, skipped or escalated, with the reason. */
export async function settleFeedback(
  db: Db,
  runId: number,
  keys: readonly string[],
  outcome: { state: Exclude<FeedbackState, "new">; reason?: string; attempt?: number },
  now = Date.now(),
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .updateTable("forge_feedback")
    .set({
      state: outcome.state,
      reason: outcome.reason ?? null,
      attempt: outcome.attempt ?? null,
      updated_at: now,
    })
    .where("run_id", "=", runId)
    .where("key", "in", [...keys])
    .execute();
}

export async function markAnswered(db: Db, runId: number, keys: readonly string[], now = Date.now()) {
  if (keys.length === 0) return;
  await db
    .updateTable("forge_feedback")
    .set({ answered: 1, updated_at: now })
    .where("run_id", "=", runId)
    .where("key", "in", [...keys])
    .execute();
}

/**
 * Re-opens a run that ended (proposed, or given up or failed after an earlier reaction) on its
 * kept workspace, in one transaction: its last attempt carries the feedback for the next brief,
 * the feedback is marked sent with that next attempt, and the run moves to `revising`, where a
 * builder resumes it. With `rebaseOnto`, the resumed run first rebases onto that commit.
 */
export async function reopenRun(
  db: Db,
  run: Run,
  reopen: {
    reason: string;
    pull: number;
    keys: readonly string[];
    feedback: string;
    feedbackKind: FeedbackKind;
    rebaseOnto?: string;
  },
  now = Date.now(),
): Promise<Run> {
  return inTransaction(db, async (trx) => {
    const next = run.attempt + 1;
    if (run.attempt > 0 || (await hasAttempt(trx, run.id, 0))) {
      await updateAttempt(
        trx,
        run.id,
        run.attempt,
        { state: "changes-requested", feedback: reopen.feedback, feedbackKind: reopen.feedbackKind },
        now,
      );
    }
    const moved = await moveRun(
      trx,
      run.id,
      "reopen",
      {
        owner: null,
        set: { reason: null, ...(reopen.rebaseOnto !== undefined && { rebaseOnto: reopen.rebaseOnto }) },
        data: { reason: reopen.reason, pull: reopen.pull, keys: [...reopen.keys], attempt: next },
      },
      now,
    );
    await settleFeedback(trx, run.id, reopen.keys, { state: "sent", attempt: next }, now);
    return moved;
  });
}

async function hasAttempt(db: Db, runId: number, number: number): Promise<boolean> {
  const row = await db
    .selectFrom("attempts")
    .select("id")
    .where("run_id", "=", runId)
    .where("number", "=", number)
    .executeTakeFirst();
  return row !== undefined;
}

function toPull(row: Selectable<ForgePullsTable>): WatchedPull {
  return {
    runId: row.run_id,
    itemId: row.item_id,
    tracker: row.tracker,
    number: Number(row.number),
    url: row.url,
    base: row.base,
    head: row.head,
    state: row.state,
    ciHead: row.ci_head,
    ciVerdict: row.ci_verdict,
    baseTip: row.base_tip,
    seenUpdated: row.seen_updated,
  };
}

function toFeedback(row: Selectable<ForgeFeedbackTable>): Feedback {
  return {
    runId: row.run_id,
    key: row.key,
    kind: row.kind,
    head: row.head,
    author: row.author,
    body: row.body,
    location: row.location,
    url: row.url,
    state: row.state,
    reason: row.reason,
    attempt: row.attempt,
    answered: row.answered === 1,
    createdAt: Number(row.created_at),
  };
}
