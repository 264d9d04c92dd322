import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { DatabaseSchema } from "./databaseSchema.ts";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  db: Kysely<DatabaseSchema>;
  dialect: Dialect;
  /** The SQLite file (absent for PostgreSQL). */
  file?: string;
  /** A PostgreSQL connection string (absent for SQLite); used for LISTEN. */
  url?: string;
  close(): Promise<void>;
}

// PostgreSQL returns int8 as strings to protect precision; our int8 columns hold epoch ms and counters.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * Opens the database named by a URL: `sqlite:PATH` (the embedded default, one file, WAL) or `postgres://…`.
 * @example const { db } = createDatabase("sqlite:./data/parley.db");
 */
export function createDatabase(url: string, options: { poolSize?: number } = {}): Database {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle client that loses its connection must not crash the process.
    pool.on("error", () => {});
    const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: "postgres", url, close: () => db.destroy() };
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    const file = path === ":memory:" ? path : resolve(path);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    // Kysely prepares every statement anew; preparing costs as much as running a simple query, and one connection
    // runs statements one at a time, so compiled statements can be reused.
    const prepared = new Map<string, SqliteDatabase.Statement>();
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((source: string) => {
      let stmt = prepared.get(source);
      if (!stmt) {
        stmt = prepare(source);
        if (prepared.size >= 2000) prepared.clear();
        prepared.set(source, stmt);
      }
      return stmt;
    }) as typeof sqlite.prepare;
    const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, dialect: "sqlite", file, close: () => db.destroy() };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(":")[0]}:…")`);
}
