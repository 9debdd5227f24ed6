import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.ts";

/**
 * Usage read from the wire: one row per model request gaffer's proxy carried, by token class, and
 * on each attempt's own row whether its traffic was metered (its agent's report is then a
 * cross-check, not what counts), and the events found by kind and time (recent plan limits).
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const table = db.schema.createTable("model_requests");
  await (
    dialect === "postgres"
      ? table.addColumn("id", "serial", (c) => c.primaryKey())
      : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
  )
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id"))
    .addColumn("item_id", "integer", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("agent", "text", (c) => c.notNull())
    .addColumn("role", "text")
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("api", "text", (c) => c.notNull())
    .addColumn("model", "text")
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("input_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cache_read_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cache_write_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reasoning_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cost_usd", "double precision")
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("model_requests_by_run")
    .on("model_requests")
    .columns(["run_id", "attempt"])
    .execute();
  await db.schema
    .alterTable("usage")
    .addColumn("metered", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}
