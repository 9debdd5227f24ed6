/** The SQL dialects the store's queries are written for. Only SQLite is wired up today. */
export type StoreDialect = "sqlite" | "postgres";
