import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Kysely, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import { GafferError } from "../errors.ts";
import { MIGRATION_NAMES, migrationProvider } from "./migrations/index.ts";
import type { Database } from "./schema.ts";
import { nodeSqliteDatabase, storeError } from "./sqlite-driver.ts";

export type Db = Kysely<Database>;

export interface Store {
  readonly db: Db;
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Opens (creating and migrating if needed) the project's store for writing.
 * WAL keeps readers unblocked; NORMAL sync is durable across process crashes.
 */
export async function openStore(path: string): Promise<Store> {
  mkdirSync(dirname(path), { recursive: true });
  let database: DatabaseSync;
  try {
    database = new DatabaseSync(path);
    database.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
    database.exec("PRAGMA foreign_keys = ON;");
  } catch (error) {
    throw storeError(error, path);
  }
  const db = kyselyOver(database, path);
  // Every command opens the store; only one that finds it behind pays for the migrator's lock and reads.
  if (missingMigrations(database).length > 0) {
    const { error } = await new Migrator({ db, provider: migrationProvider("sqlite") }).migrateToLatest();
    if (error) {
      await db.destroy();
      throw error;
    }
  }
  return { db, path, close: () => db.destroy() };
}

/**
 * Opens the store for reading without writing a byte: a fully checkpointed database (no `-wal`
 * beside it) is opened immutable so SQLite creates no side files; with a live writer it reads the WAL.
 * Returns undefined when there is no store yet.
 */
export function openStoreReadOnly(path: string): Store | undefined {
  if (!existsSync(path)) return undefined;
  const live = existsSync(`${path}-wal`);
  const location = live ? path : `file:${encodeURI(path)}?immutable=1`;
  const database = new DatabaseSync(location, { readOnly: true });
  if (live) database.exec("PRAGMA busy_timeout = 10000;");
  assertCurrentSchema(database, path);
  const db = kyselyOver(database, path);
  return { db, path, close: () => db.destroy() };
}

/** A read command cannot migrate a store an older gaffer wrote; it says how to upgrade it instead. */
function assertCurrentSchema(database: DatabaseSync, path: string): void {
  const missing = missingMigrations(database);
  if (missing.length === 0) return;
  database.close();
  throw new GafferError(
    "store-outdated",
    `${path} was written by an older gaffer (${missing.length} schema change${missing.length === 1 ? "" : "s"} behind)`,
    "run `gaffer upgrade` once; read commands never write",
  );
}

/** The schema changes this gaffer knows that the store has not had (all of them for a new store). */
function missingMigrations(database: DatabaseSync): string[] {
  const hasTable = database
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
    .get();
  if (hasTable === undefined) return [...MIGRATION_NAMES];
  const applied = new Set(
    (database.prepare("SELECT name FROM kysely_migration").all() as { name: string }[]).map(
      (row) => row.name,
    ),
  );
  return MIGRATION_NAMES.filter((name) => !applied.has(name));
}

function kyselyOver(database: DatabaseSync, path: string): Db {
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: nodeSqliteDatabase(database, path) }),
  });
}

/** Runs `work` in a transaction, joining the caller's if there already is one. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
