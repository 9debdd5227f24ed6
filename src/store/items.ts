import { sql } from "kysely";
import { GafferError } from "../errors.ts";
import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import type { ItemRow, ItemState } from "./schema.ts";

export interface Item {
  id: number;
  title: string;
  body: string;
  labels: string[];
  priority: number;
  dependsOn: number[];
  state: ItemState;
  source: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ItemFields {
  title: string;
  body?: string;
  labels?: string[];
  priority?: number;
  dependsOn?: number[];
  source?: string | null;
}

export type ItemChanges = Partial<Omit<ItemFields, "source">>;

/**
 * The most an item's body may hold. The body goes whole into every brief, and every list and
 * scheduler pass reads it: 256 KiB (some 60,000 tokens) is far past any real issue, and longer
 * material belongs in a file in the repository that the item names.
 */
export const MAX_BODY_BYTES = 256 * 1024;

export async function addItem(db: Db, fields: ItemFields, now = Date.now()): Promise<Item> {
  assertBodySize(fields.title, fields.body);
  return inTransaction(db, async (trx) => {
    await assertItemsExist(trx, fields.dependsOn ?? []);
    const row = await trx
      .insertInto("items")
      .values({
        title: fields.title,
        body: fields.body ?? "",
        labels: JSON.stringify(fields.labels ?? []),
        priority: fields.priority ?? 0,
        depends_on: JSON.stringify(fields.dependsOn ?? []),
        state: "open",
        source: fields.source ?? null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const item = toItem(row);
    await appendEvent(trx, { itemId: item.id }, EVENTS.itemCreated, { title: item.title }, now);
    return item;
  });
}

export async function getItem(db: Db, id: number): Promise<Item> {
  const row = await db.selectFrom("items").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) {
    throw new GafferError("item-not-found", `no item #${id}`, "list the items with `gaffer issue list`");
  }
  return toItem(row);
}

/** Items by priority, then age; open ones unless `state` names others (one, several or "all"). */
export async function listItems(
  db: Db,
  query: { state?: ItemState | readonly ItemState[] | "all"; label?: string } = {},
): Promise<Item[]> {
  let select = db.selectFrom("items").selectAll().orderBy("priority", "desc").orderBy("id", "asc");
  const state = query.state ?? "open";
  if (state !== "all") select = select.where("state", "in", typeof state === "string" ? [state] : [...state]);
  const items = (await select.execute()).map(toItem);
  return query.label ? items.filter((item) => item.labels.includes(query.label as string)) : items;
}

/**
 * Every item without its body (an empty string in its place), as `listItems` orders them: what a
 * board of thousands of items needs, without reading bodies of up to 256 KiB each.
 */
export async function listItemHeads(db: Db): Promise<Item[]> {
  const rows = await db
    .selectFrom("items")
    .select([
      "id",
      "title",
      sql<string>`''`.as("body"),
      "labels",
      "priority",
      "depends_on",
      "state",
      "source",
      "created_at",
      "updated_at",
    ])
    .orderBy("priority", "desc")
    .orderBy("id", "asc")
    .execute();
  return rows.map(toItem);
}

/** How many items are in `state`, counted on the state index without reading them. */
export async function countItems(db: Db, state: ItemState): Promise<number> {
  const row = await db
    .selectFrom("items")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("state", "=", state)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function editItem(db: Db, id: number, changes: ItemChanges, now = Date.now()): Promise<Item> {
  return inTransaction(db, async (trx) => {
    const item = await getItem(trx, id);
    assertBodySize(changes.title ?? item.title, changes.body);
    if (changes.dependsOn) {
      if (changes.dependsOn.includes(id)) {
        throw new GafferError("usage", `item #${id} cannot depend on itself`, "remove it from --depends-on");
      }
      await assertItemsExist(trx, changes.dependsOn);
    }
    const row = await trx
      .updateTable("items")
      .set({
        ...(changes.title !== undefined && { title: changes.title }),
        ...(changes.body !== undefined && { body: changes.body }),
        ...(changes.labels !== undefined && { labels: JSON.stringify(changes.labels) }),
        ...(changes.priority !== undefined && { priority: changes.priority }),
        ...(changes.dependsOn !== undefined && { depends_on: JSON.stringify(changes.dependsOn) }),
        updated_at: now,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, { itemId: id }, EVENTS.itemEdited, { fields: Object.keys(changes) }, now);
    return toItem(row);
  });
}

function assertBodySize(title: string, body: string | undefined): void {
  const bytes = Buffer.byteLength(body ?? "");
  if (bytes <= MAX_BODY_BYTES) return;
  throw new GafferError(
    "invalid-input",
    `the body of item "${title.slice(0, 80)}" is ${bytes} bytes; an item body holds at most ${MAX_BODY_BYTES} (${MAX_BODY_BYTES / 1024} KiB)`,
    "put long material in a file in the repository and name it in the item",
  );
}

/** The event each state change of an item appends. */
export const STATE_EVENTS = {
  open: EVENTS.itemReopened,
  parked: EVENTS.itemParked,
  closed: EVENTS.itemClosed,
} as const satisfies Record<ItemState, unknown>;

/** Opens, parks or closes an item; `note` (say, the merge that closed it) is kept on the event. */
export async function setItemState(
  db: Db,
  id: number,
  state: ItemState,
  note?: string,
  now = Date.now(),
): Promise<Item> {
  return inTransaction(db, async (trx) => {
    await getItem(trx, id);
    const row = await trx
      .updateTable("items")
      .set({ state, updated_at: now })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, { itemId: id }, STATE_EVENTS[state], note === undefined ? {} : { note }, now);
    return toItem(row);
  });
}

/** The items among `ids` that are closed. Reads only those rows, however many items the project has. */
export async function closedItemIds(db: Db, ids: readonly number[]): Promise<Set<number>> {
  const closed = new Set<number>();
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += IN_CHUNK) {
    const rows = await db
      .selectFrom("items")
      .select("id")
      .where("state", "=", "closed")
      .where("id", "in", unique.slice(start, start + IN_CHUNK))
      .execute();
    for (const row of rows) closed.add(Number(row.id));
  }
  return closed;
}

/** Ids per `IN (…)` list, well under SQLite's limit on bound parameters. */
const IN_CHUNK = 500;

async function assertItemsExist(db: Db, ids: number[]): Promise<void> {
  for (const id of ids) {
    const found = await db.selectFrom("items").select("id").where("id", "=", id).executeTakeFirst();
    if (!found) {
      throw new GafferError(
        "item-not-found",
        `depends on #${id}, which does not exist`,
        "check `gaffer issue list`",
      );
    }
  }
}

function toItem(row: ItemRow): Item {
  return {
    id: Number(row.id),
    title: row.title,
    body: row.body,
    labels: JSON.parse(row.labels) as string[],
    priority: row.priority,
    dependsOn: JSON.parse(row.depends_on) as number[],
    state: row.state,
    source: row.source,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
