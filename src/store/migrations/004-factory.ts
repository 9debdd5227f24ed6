import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.ts";

/**
 * The factory: claims (leases on items), review verdicts, the role a run was made for and the
 * role each usage row was spent by, and a proposal's review state.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable("claims")
    .addColumn("item_id", "integer", (c) => c.primaryKey().references("items.id"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("duty", "text", (c) => c.notNull())
    .addColumn("run_id", "integer")
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("heartbeat_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  const reviews = db.schema.createTable("reviews");
  await (
    dialect === "postgres"
      ? reviews.addColumn("id", "serial", (c) => c.primaryKey())
      : reviews.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
  )
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id"))
    .addColumn("round", "integer", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("head_commit", "text", (c) => c.notNull())
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("findings", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("runs").addColumn("role", "text").execute();
  await db.schema.alterTable("usage").addColumn("role", "text").execute();
  await db.schema.alterTable("proposals").addColumn("review", "text").execute();
  // The supervisor asks, each tick, when each run last made progress: a run's latest event of some types.
  await db.schema.createIndex("events_by_run_type").on("events").columns(["run_id", "type", "at"]).execute();
  // …and the open items, however many are closed.
  await db.schema.createIndex("items_by_state").on("items").columns(["state", "id"]).execute();
}
