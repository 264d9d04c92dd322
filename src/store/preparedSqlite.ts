import type SqliteDatabase from "better-sqlite3";
import type { StoreContext } from "./storeContext.ts";

const caches = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

/**
 * A prepared statement on the SQLite connection itself, or null on PostgreSQL. For hot paths that write many
 * rows: Kysely builds and compiles every statement anew, which for a row of twenty columns costs several times
 * what SQLite needs to insert it. Only call it inside a transaction of your own (Kysely's `tx` callback, which
 * holds the one connection), so the statement runs in that transaction.
 */
export function preparedSqlite(ctx: StoreContext, sql: string): SqliteDatabase.Statement | null {
  const sqlite = ctx.database.sqlite;
  if (!sqlite) return null;
  let cache = caches.get(sqlite);
  if (!cache) {
    cache = new Map();
    caches.set(sqlite, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = sqlite.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}
