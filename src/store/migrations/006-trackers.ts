import type { Kysely } from "kysely";

/**
 * Items that mirror a forge's issues: which issue each item is, what the forge last said of it
 * (so only the forge's changes are applied), and how far each tracker's sync has read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tracker_items")
    .addColumn("item_id", "integer", (c) => c.primaryKey().references("items.id"))
    .addColumn("tracker", "text", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("seen", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .execute();
  await db.schema
    .createIndex("tracker_items_by_issue")
    .unique()
    .on("tracker_items")
    .columns(["tracker", "number"])
    .execute();
  await db.schema
    .createTable("tracker_cursors")
    .addColumn("tracker", "text", (c) => c.primaryKey())
    .addColumn("since", "text")
    .addColumn("synced_at", "bigint", (c) => c.notNull())
    .execute();
}
