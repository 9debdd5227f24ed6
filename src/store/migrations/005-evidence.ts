import type { Kysely } from "kysely";

/**
 * The tree each attempt's gate ran on (and the evidence commit holding it), and on a proposal the
 * tree it names and the environment its gate saw, so all three can be compared and reproduced.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("attempts").addColumn("commit_sha", "text").execute();
  await db.schema.alterTable("attempts").addColumn("tree", "text").execute();
  await db.schema.alterTable("proposals").addColumn("tree", "text").execute();
  await db.schema.alterTable("proposals").addColumn("environment", "text").execute();
}
