import type { CreateTableBuilder, Kysely } from "kysely";
import type { StoreDialect } from "../dialect.ts";

/** Items, runs, attempts, gate results, events (append-only) and proposals. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const withId = <T extends string>(table: CreateTableBuilder<T, never>) =>
    dialect === "postgres"
      ? table.addColumn("id", "serial", (c) => c.primaryKey())
      : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());

  await withId(db.schema.createTable("items"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("labels", "text", (c) => c.notNull())
    .addColumn("priority", "integer", (c) => c.notNull())
    .addColumn("depends_on", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("source", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable("runs"))
    .addColumn("item_id", "integer", (c) => c.notNull().references("items.id"))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("agent", "text", (c) => c.notNull())
    .addColumn("branch", "text", (c) => c.notNull())
    .addColumn("base_branch", "text", (c) => c.notNull())
    .addColumn("base_commit", "text", (c) => c.notNull())
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("max_fix_attempts", "integer", (c) => c.notNull())
    .addColumn("owner", "text")
    .addColumn("reason", "text")
    .addColumn("report_path", "text")
    .addColumn("sandbox", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .execute();
  await db.schema.createIndex("runs_by_item").on("runs").columns(["item_id", "id"]).execute();
  await db.schema.createIndex("runs_by_state").on("runs").column("state").execute();

  await withId(db.schema.createTable("attempts"))
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("stop_reason", "text")
    .addColumn("tree_hash", "text")
    .addColumn("changed", "integer")
    .addColumn("failure_hash", "text")
    .addColumn("feedback", "text")
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .addUniqueConstraint("attempts_run_number", ["run_id", "number"])
    .execute();

  await withId(db.schema.createTable("gate_results"))
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id"))
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("command", "text", (c) => c.notNull())
    .addColumn("exit_code", "integer")
    .addColumn("signal", "text")
    .addColumn("timed_out", "integer", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("output", "text", (c) => c.notNull())
    .addColumn("output_bytes", "integer", (c) => c.notNull())
    .addColumn("output_sha256", "text", (c) => c.notNull())
    .addColumn("log_path", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("gate_results_by_run")
    .on("gate_results")
    .columns(["run_id", "attempt"])
    .execute();

  await withId(db.schema.createTable("events"))
    .addColumn("run_id", "integer")
    .addColumn("item_id", "integer")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_by_run").on("events").columns(["run_id", "id"]).execute();

  await db.schema
    .createTable("proposals")
    .addColumn("run_id", "integer", (c) => c.primaryKey().references("runs.id"))
    .addColumn("item_id", "integer", (c) => c.notNull())
    .addColumn("branch", "text", (c) => c.notNull())
    .addColumn("base_commit", "text", (c) => c.notNull())
    .addColumn("head_commit", "text", (c) => c.notNull())
    .addColumn("commits", "text", (c) => c.notNull())
    .addColumn("diff_stat", "text", (c) => c.notNull())
    .addColumn("evidence", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}
