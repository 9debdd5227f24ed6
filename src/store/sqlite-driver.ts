import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { accessSync, constants, statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import { GafferError } from "../errors.ts";

/**
 * Adapts Node's built-in `node:sqlite` to the small synchronous interface Kysely's SQLite
 * dialect expects (the better-sqlite3 shape), so the store needs no native module.
 */
export function nodeSqliteDatabase(database: DatabaseSync, path: string): SqliteDatabase {
  const named = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw storeError(error, path);
    }
  };
  return {
    close: () => database.close(),
    prepare: (sql) => {
      // SQLite rolls a transaction back by itself on a full disk or an I/O error; Kysely's own
      // rollback would then fail and hide that first error, so it has nothing left to do.
      if (sql === "rollback" && !database.isTransaction) return NOTHING;
      // Kysely begins with a deferred "begin"; a read that later turns into a write can then fail at
      // once with SQLITE_BUSY when another process wrote in between. An immediate transaction takes
      // the write lock up front and waits its turn (busy_timeout) instead.
      const statement = named(() => database.prepare(sql === "begin" ? "begin immediate" : sql));
      return adaptStatement(statement, sql, named);
    },
  };
}

const NOTHING: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  *iterate() {},
};

const FULL = {
  what: "the disk is full",
  hint: "free some space and run the command again; nothing recorded was lost",
};
const READ_ONLY = {
  what: "it is read-only",
  hint: "make the file and its directory writable (check permissions and the mount) and run the command again",
};

/** SQLite's primary result codes for what a user can fix, with what to say about each. */
const STORAGE_FAULTS: Record<number, { what: string; hint: string }> = {
  13: FULL,
  8: READ_ONLY,
  10: { what: "the disk reported an I/O error", hint: "check the disk, then run the command again" },
  11: {
    what: "the file is damaged",
    hint: "restore .gaffer/gaffer.db from a backup, or move it aside to start afresh",
  },
  26: { what: "it is not a gaffer store", hint: "move it aside; gaffer creates a new one" },
  14: { what: "it cannot be opened", hint: "check that .gaffer/ exists and is writable" },
};

/** Below this much free space, an I/O error or a file that cannot be created means a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/** A storage fault named as what it is (a full disk, a read-only file…); other errors as they are. */
export function storeError(error: unknown, path: string): unknown {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  const fault = typeof code === "number" ? STORAGE_FAULTS[code & 0xff] : undefined;
  if (!fault) return error;
  // SQLite reports ENOSPC and EROFS met while writing its WAL as plain I/O or open failures.
  const found =
    fault === STORAGE_FAULTS[10] || fault === STORAGE_FAULTS[14] ? (diskState(path) ?? fault) : fault;
  return new GafferError(
    "store-unavailable",
    `cannot use gaffer's store ${path}: ${found.what}`,
    found.hint,
    {
      cause: error,
    },
  );
}

function diskState(path: string): { what: string; hint: string } | undefined {
  const dir = dirname(path);
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "EROFS" ||
      (error as NodeJS.ErrnoException).code === "EACCES"
    )
      return READ_ONLY;
  }
  try {
    const space = statfsSync(dir);
    return space.bavail * space.bsize < NEARLY_FULL_BYTES ? FULL : undefined;
  } catch {
    return undefined;
  }
}

const READER_SQL = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;

function adaptStatement(
  statement: StatementSync,
  sql: string,
  named: <T>(work: () => T) => T,
): SqliteStatement {
  const reader =
    typeof statement.columns === "function" ? statement.columns().length > 0 : READER_SQL.test(sql);
  return {
    reader,
    all: (parameters) => named(() => statement.all(...toSqlValues(parameters))),
    run: (parameters) => named(() => statement.run(...toSqlValues(parameters))),
    iterate: (parameters) => named(() => statement.iterate(...toSqlValues(parameters))),
  };
}

function toSqlValues(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}
