import type { EventBody, EventDef, EventName } from "./event-catalogue.ts";
import type { Db } from "./open.ts";
import type { EventRow } from "./schema.ts";

/** Where an event belongs: a run (and its item), an item, or the factory as a whole. */
export interface EventScope {
  runId?: number | undefined;
  itemId?: number | undefined;
}

/** A stored event: its place in the feed, when, where it belongs, and its typed name and data. */
export type GafferEvent = EventBody & {
  id: number;
  runId: number | null;
  itemId: number | null;
  at: number;
};

/** Appends one event. Events are never updated or deleted. */
export async function appendEvent<N extends EventName, P extends object>(
  db: Db,
  scope: EventScope,
  def: EventDef<N, P>,
  data: P,
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto("events")
    .values({
      run_id: scope.runId ?? null,
      item_id: scope.itemId ?? null,
      type: def.name,
      at: now,
      data: JSON.stringify(data),
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
 * The events of the kinds `defs` of each of `runIds`, oldest first: the few a run has of them (its
 * failures, its retries), found through the runs' index, whatever the rest of their history.
 */
export async function eventsOfRuns(
  db: Db,
  runIds: readonly number[],
  defs: readonly EventDef<EventName>[],
): Promise<GafferEvent[]> {
  const events: GafferEvent[] = [];
  for (let start = 0; start < runIds.length; start += 500) {
    const rows = await db
      .selectFrom("events")
      .selectAll()
      .where("run_id", "in", runIds.slice(start, start + 500))
      .where(
        "type",
        "in",
        defs.map((def) => def.name),
      )
      .orderBy("id", "asc")
      .execute();
    events.push(...rows.map(toEvent));
  }
  return events.sort((a, b) => a.id - b.id);
}

/** The events of kind `def` since `since`, oldest first, found through their kind's index. */
export async function eventsSince<N extends EventName>(
  db: Db,
  def: EventDef<N>,
  since: number,
): Promise<Extract<GafferEvent, { type: N }>[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("type", "=", def.name)
    .where("at", ">=", since)
    .orderBy("id", "asc")
    .execute();
  return eventsOfKind(rows.map(toEvent), def);
}

/** Only gaffer writes the store, through `appendEvent`: a row's name and data match its definition. */
function toEvent(row: EventRow): GafferEvent {
  return {
    id: Number(row.id),
    runId: row.run_id,
    itemId: row.item_id,
    at: Number(row.at),
    ...({ type: row.type, data: JSON.parse(row.data) } as EventBody),
  };
}

/** The events of one kind, typed. */
export function eventsOfKind<N extends EventName>(
  events: readonly GafferEvent[],
  def: EventDef<N>,
): Extract<GafferEvent, { type: N }>[] {
  return events.filter((event): event is Extract<GafferEvent, { type: N }> => event.type === def.name);
}

/** How many events of these kinds the run has. */
export async function countEvents(
  db: Db,
  runId: number,
  defs: readonly EventDef<EventName>[],
): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("run_id", "=", runId)
    .where(
      "type",
      "in",
      defs.map((def) => def.name),
    )
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * When the run's latest event (of one of `defs`, if given) happened; undefined when there is none.
 * The supervisor asks this for every run it watches, every tick, and an agent's run has an event per
 * streamed chunk: without `defs`, the last event appended is found through the run's index at once
 * instead of reading every event of the run.
 */
export async function latestEventAt(
  db: Db,
  runId: number,
  defs?: readonly EventDef<EventName>[],
): Promise<number | undefined> {
  if (!defs) {
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
    .where(
      "type",
      "in",
      defs.map((def) => def.name),
    );
  const row = await select.executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}

/** The latest `limit` events of the kinds `defs`, whatever they belong to, newest first. */
export async function recentEventsOfKinds(
  db: Db,
  defs: readonly EventDef<EventName>[],
  limit: number,
): Promise<GafferEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where(
      "type",
      "in",
      defs.map((def) => def.name),
    )
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}

/** The id of the latest event, 0 when there is none: where a live feed starts. */
export async function latestEventId(db: Db): Promise<number> {
  const row = await db.selectFrom("events").select("id").orderBy("id", "desc").limit(1).executeTakeFirst();
  return row ? Number(row.id) : 0;
}
