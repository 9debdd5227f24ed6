import type { Db } from "./open.ts";
import type { EventRow } from "./schema.ts";

export interface NewEvent {
  runId?: number | undefined;
  itemId?: number | undefined;
  type: string;
  data?: Record<string, unknown>;
}

export interface GafferEvent {
  id: number;
  runId: number | null;
  itemId: number | null;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

/** Appends one event. Events are never updated or deleted. */
export async function appendEvent(db: Db, event: NewEvent, now = Date.now()): Promise<void> {
  await db
    .insertInto("events")
    .values({
      run_id: event.runId ?? null,
      item_id: event.itemId ?? null,
      type: event.type,
      at: now,
      data: JSON.stringify(event.data ?? {}),
    })
    .execute();
}

export async function listEvents(
  db: Db,
  query: { runId?: number; itemId?: number; afterId?: number; limit?: number },
): Promise<GafferEvent[]> {
  let select = db.selectFrom("events").selectAll().orderBy("id", "asc");
  if (query.runId !== undefined) select = select.where("run_id", "=", query.runId);
  if (query.itemId !== undefined) select = select.where("item_id", "=", query.itemId);
  if (query.afterId !== undefined) select = select.where("id", ">", query.afterId);
  if (query.limit !== undefined) select = select.limit(query.limit);
  return (await select.execute()).map(toEvent);
}

export async function lastEvent(db: Db, runId: number): Promise<GafferEvent | undefined> {
  const row = await db
    .selectFrom("events")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? toEvent(row) : undefined;
}

/**
 * The events of `types` of each of `runIds`, oldest first: the few a run has of them (its
 * failures, its retries), found through the runs' index, whatever the rest of their history.
 */
export async function eventsOfRuns(
  db: Db,
  runIds: readonly number[],
  types: readonly string[],
): Promise<GafferEvent[]> {
  const events: GafferEvent[] = [];
  for (let start = 0; start < runIds.length; start += 500) {
    const rows = await db
      .selectFrom("events")
      .selectAll()
      .where("run_id", "in", runIds.slice(start, start + 500))
      .where("type", "in", [...types])
      .orderBy("id", "asc")
      .execute();
    events.push(...rows.map(toEvent));
  }
  return events.sort((a, b) => a.id - b.id);
}

function toEvent(row: EventRow): GafferEvent {
  return {
    id: Number(row.id),
    runId: row.run_id,
    itemId: row.item_id,
    type: row.type,
    at: Number(row.at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** How many events of this type the run has. */
export async function countEvents(db: Db, runId: number, type: string): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("run_id", "=", runId)
    .where("type", "=", type)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * When the run's latest event (of one of `types`, if given) happened; undefined when there is none.
 * The supervisor asks this for every run it watches, every tick, and an agent's run has an event per
 * streamed chunk: without `types`, the last event appended is found through the run's index at once
 * instead of reading every event of the run.
 */
export async function latestEventAt(
  db: Db,
  runId: number,
  types?: readonly string[],
): Promise<number | undefined> {
  if (!types) {
    const last = await db
      .selectFrom("events")
      .select("at")
      .where("run_id", "=", runId)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return last === undefined ? undefined : Number(last.at);
  }
  const select = db
    .selectFrom("events")
    .select((eb) => eb.fn.max("at").as("at"))
    .where("run_id", "=", runId)
    .where("type", "in", [...types]);
  const row = await select.executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}
