import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { getItem, STATE_EVENTS } from "./items.ts";
import { type Db, inTransaction } from "./open.ts";
import type { ItemState, TrackerItemsTable } from "./schema.ts";

/** A forge issue as the store keeps it: the item's fields, the state it calls for, and its dependencies by issue number. */
export interface TrackedIssue {
  number: number;
  url: string;
  title: string;
  body: string;
  labels: string[];
  priority: number;
  state: ItemState;
  /** Why it is parked or closed. */
  reason: string | null;
  /** Milliseconds since the epoch, from the forge: the scheduler's first-in-first-out order. */
  createdAt: number;
  dependsOn: number[];
  /** Changes whenever anything above changes. */
  fingerprint: string;
}

export interface TrackerLink {
  itemId: number;
  tracker: string;
  number: number;
  url: string;
  fingerprint: string;
  seen: ItemState;
  reason: string | null;
}

export interface TrackerRecord {
  /** Items made for issues seen for the first time. */
  created: number[];
  /** Items whose fields or state followed a change on the forge. */
  changed: number[];
  /** Dependencies the store has no item for (`#N` naming nothing the forge returned). */
  unresolved: { number: number; dependency: number }[];
}

export async function trackerLinks(db: Db, tracker: string): Promise<Map<number, TrackerLink>> {
  const rows = await db.selectFrom("tracker_items").selectAll().where("tracker", "=", tracker).execute();
  return new Map(rows.map((row) => [Number(row.number), toLink(row)]));
}

/** The issue an item mirrors, or undefined for an item of the built-in tracker. */
export async function trackerLinkOf(db: Db, itemId: number): Promise<TrackerLink | undefined> {
  const row = await db
    .selectFrom("tracker_items")
    .selectAll()
    .where("item_id", "=", itemId)
    .executeTakeFirst();
  return row && toLink(row);
}

/** The time a tracker's next sync reads from; undefined before its first issue was seen. */
export async function trackerCursor(db: Db, tracker: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("tracker_cursors")
    .select("since")
    .where("tracker", "=", tracker)
    .executeTakeFirst();
  return row?.since ?? undefined;
}

/**
 * Applies one sync's issues in one transaction. An issue seen for the first time becomes an item
 * (dated by the forge) in the state it calls for. A known one is touched only when the forge
 * changed it since the last sync (its fingerprint): the fields that differ are updated, and its
 * state follows when the state the forge calls for changed. So what gaffer decided locally (an
 * item its merge closed, say) stands until the forge says otherwise. Dependencies are mapped from
 * issue numbers to items once every issue has one.
 */
export async function recordTrackerIssues(
  db: Db,
  tracker: string,
  issues: TrackedIssue[],
  since: string | undefined,
  now = Date.now(),
): Promise<TrackerRecord> {
  return inTransaction(db, async (trx) => {
    const links = await trackerLinks(trx, tracker);
    const record: TrackerRecord = { created: [], changed: [], unresolved: [] };
    const ordered = [...issues].sort((a, b) => a.number - b.number);
    for (const issue of ordered) {
      if (links.has(issue.number)) continue;
      const row = await trx
        .insertInto("items")
        .values({
          title: issue.title,
          body: issue.body,
          labels: JSON.stringify(issue.labels),
          priority: issue.priority,
          depends_on: "[]",
          state: issue.state,
          source: issue.url,
          created_at: issue.createdAt,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const itemId = Number(row.id);
      await appendEvent(trx, { itemId }, EVENTS.itemCreated, { title: issue.title }, now);
      if (issue.state !== "open")
        await appendEvent(trx, { itemId }, STATE_EVENTS[issue.state], noted(issue.reason), now);
      const link: TrackerLink = {
        itemId,
        tracker,
        number: issue.number,
        url: issue.url,
        fingerprint: "",
        seen: issue.state,
        reason: issue.reason,
      };
      await trx
        .insertInto("tracker_items")
        .values({ ...linkRow(link) })
        .execute();
      links.set(issue.number, link);
      record.created.push(itemId);
    }
    for (const issue of ordered) {
      const link = links.get(issue.number) as TrackerLink;
      if (link.fingerprint === issue.fingerprint) continue;
      const dependsOn = issue.dependsOn.flatMap((number) => {
        const found = links.get(number);
        if (found && number !== issue.number) return [found.itemId];
        if (!found) record.unresolved.push({ number: issue.number, dependency: number });
        return [];
      });
      const fresh = record.created.includes(link.itemId);
      const item = await getItem(trx, link.itemId);
      const changes = {
        ...(item.title !== issue.title && { title: issue.title }),
        ...(item.body !== issue.body && { body: issue.body }),
        ...(!sameList(item.labels, issue.labels) && { labels: JSON.stringify(issue.labels) }),
        ...(item.priority !== issue.priority && { priority: issue.priority }),
        ...(!sameList(item.dependsOn, dependsOn) && { depends_on: JSON.stringify(dependsOn) }),
      };
      const stateChanged = !fresh && issue.state !== link.seen && issue.state !== item.state;
      if (Object.keys(changes).length > 0 || stateChanged) {
        await trx
          .updateTable("items")
          .set({ ...changes, ...(stateChanged && { state: issue.state }), updated_at: now })
          .where("id", "=", link.itemId)
          .execute();
      }
      const fields = Object.keys(changes).map((key) => (key === "depends_on" ? "dependsOn" : key));
      if (!fresh && fields.length > 0)
        await appendEvent(trx, { itemId: link.itemId }, EVENTS.itemEdited, { fields }, now);
      if (stateChanged) {
        const note = issue.reason ?? "ready on the forge";
        await appendEvent(trx, { itemId: link.itemId }, STATE_EVENTS[issue.state], { note }, now);
      }
      if (!fresh && (fields.length > 0 || stateChanged)) record.changed.push(link.itemId);
      await trx
        .updateTable("tracker_items")
        .set({ fingerprint: issue.fingerprint, seen: issue.state, reason: issue.reason, url: issue.url })
        .where("item_id", "=", link.itemId)
        .execute();
    }
    await trx.deleteFrom("tracker_cursors").where("tracker", "=", tracker).execute();
    await trx
      .insertInto("tracker_cursors")
      .values({ tracker, since: since ?? null, synced_at: now })
      .execute();
    return record;
  });
}

/**
 * Parks a forge item gaffer may not take (another claimant won it): the item leaves the queue
 * until the forge changes the issue and a sync finds it ready again.
 */
export async function parkTrackedItem(
  db: Db,
  itemId: number,
  reason: string,
  now = Date.now(),
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("items")
      .set({ state: "parked", updated_at: now })
      .where("id", "=", itemId)
      .execute();
    await trx
      .updateTable("tracker_items")
      .set({ seen: "parked", reason, fingerprint: "" })
      .where("item_id", "=", itemId)
      .execute();
    await appendEvent(trx, { itemId }, EVENTS.itemParked, { note: reason }, now);
  });
}

function noted(reason: string | null): { note?: string } {
  return reason === null ? {} : { note: reason };
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function linkRow(link: TrackerLink): TrackerItemsTable {
  return {
    item_id: link.itemId,
    tracker: link.tracker,
    number: link.number,
    url: link.url,
    fingerprint: link.fingerprint,
    seen: link.seen,
    reason: link.reason,
  };
}

function toLink(row: TrackerItemsTable): TrackerLink {
  return {
    itemId: Number(row.item_id),
    tracker: row.tracker,
    number: Number(row.number),
    url: row.url,
    fingerprint: row.fingerprint,
    seen: row.seen,
    reason: row.reason,
  };
}
