import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.ts";

/**
 * Reactions to what happens on a published run's pull request: the pull requests gaffer watches
 * (how far it has read each), every piece of feedback received there (a failed check, a review, a
 * comment, a moved base) with what became of it, an attempt's feedback kind (which part of the
 * brief it goes in), and a run's pending rebase.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable("forge_pulls")
    .addColumn("run_id", "integer", (c) => c.primaryKey().references("runs.id"))
    .addColumn("item_id", "integer", (c) => c.notNull())
    .addColumn("tracker", "text", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("base", "text", (c) => c.notNull())
    .addColumn("head", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("ci_head", "text")
    .addColumn("ci_verdict", "text")
    .addColumn("base_tip", "text")
    .addColumn("seen_updated", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("forge_pulls_by_number")
    .on("forge_pulls")
    .columns(["tracker", "number"])
    .execute();
  const table = db.schema.createTable("forge_feedback");
  await (
    dialect === "postgres"
      ? table.addColumn("id", "serial", (c) => c.primaryKey())
      : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
  )
    .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("head", "text")
    .addColumn("author", "text")
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("location", "text")
    .addColumn("url", "text")
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("attempt", "integer")
    .addColumn("answered", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("forge_feedback_by_key")
    .unique()
    .on("forge_feedback")
    .columns(["run_id", "key"])
    .execute();
  await db.schema.alterTable("attempts").addColumn("feedback_kind", "text").execute();
  await db.schema.alterTable("runs").addColumn("rebase_onto", "text").execute();
}
