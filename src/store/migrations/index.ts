import type { Kysely } from "kysely";
import type { Migration, MigrationProvider } from "kysely/migration";
import type { StoreDialect } from "../dialect.ts";
import * as initial from "./001-initial.ts";
import * as proposalFindings from "./002-proposal-findings.ts";
import * as usage from "./003-usage.ts";
import * as factory from "./004-factory.ts";
import * as evidence from "./005-evidence.ts";
import * as trackers from "./006-trackers.ts";
import * as tokens from "./007-tokens.ts";
import * as modelRequests from "./008-model-requests.ts";
import * as reactions from "./009-reactions.ts";

type VersionedMigration = { up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> };

/** Ordered by name; a new migration gets the next number and is never edited once released. */
const migrations: Record<string, VersionedMigration> = {
  "001-initial": initial,
  "002-proposal-findings": proposalFindings,
  "003-usage": usage,
  "004-factory": factory,
  "005-evidence": evidence,
  "006-trackers": trackers,
  "007-tokens": tokens,
  "008-model-requests": modelRequests,
  "009-reactions": reactions,
};

export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations() {
      const bound: Record<string, Migration> = {};
      for (const [name, migration] of Object.entries(migrations)) {
        bound[name] = { up: (db) => migration.up(db, dialect) };
      }
      return bound;
    },
  };
}
