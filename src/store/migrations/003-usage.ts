import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.ts";

/** What each agent attempt used and cost, for `gaffer cost` and the budgets. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const table = db.schema.createTable("usage");
  await (
    dialect === "postgres"
      ? table.addColumn("id", "serial", (c) => c.primaryKey())
      : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
  )
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id"))
    .addColumn("item_id", "integer", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("agent", "text", (c) => c.notNull())
    .addColumn("model", "text")
    .addColumn("input_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cached_tokens", "integer", (c) => c.notNull().defaultTo(0))
    // Real in SQLite; in PostgreSQL `real` is 4 bytes, too coarse for money.
    .addColumn("cost_usd", "double precision")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();
}
