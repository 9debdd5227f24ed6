import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Adapts Node's built-in `node:sqlite` to the small synchronous interface Kysely's SQLite
 * dialect expects (the better-sqlite3 shape), so the store needs no native module.
 */
export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    close: () => database.close(),
    // Kysely begins with a deferred "begin"; a read that later turns into a write can then fail at
    // once with SQLITE_BUSY when another process wrote in between. An immediate transaction takes
    // the write lock up front and waits its turn (busy_timeout) instead.
    prepare: (sql) => adaptStatement(database.prepare(sql === "begin" ? "begin immediate" : sql), sql),
  };
}

const READER_SQL = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;

function adaptStatement(statement: StatementSync, sql: string): SqliteStatement {
  const reader =
    typeof statement.columns === "function" ? statement.columns().length > 0 : READER_SQL.test(sql);
  return {
    reader,
    all: (parameters) => statement.all(...toSqlValues(parameters)),
    run: (parameters) => statement.run(...toSqlValues(parameters)),
    iterate: (parameters) => statement.iterate(...toSqlValues(parameters)),
  };
}

function toSqlValues(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}
