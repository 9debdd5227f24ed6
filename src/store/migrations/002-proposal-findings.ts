import type { Kysely } from "kysely";

/** Proposals carry the integrity findings and the confinement their run had. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("proposals")
    .addColumn("findings", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema
    .alterTable("proposals")
    .addColumn("sandbox", "text", (c) => c.notNull().defaultTo("unknown"))
    .execute();
}
