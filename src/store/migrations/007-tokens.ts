import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.ts";

/** The dashboard's tokens: a name and the SHA-256 of the secret, never the secret itself. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const tokens = db.schema.createTable("tokens");
  await (
    dialect === "postgres"
      ? tokens.addColumn("id", "serial", (c) => c.primaryKey())
      : tokens.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
  )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .execute();
}
