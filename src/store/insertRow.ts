import type { Insertable } from "kysely";
import type { DatabaseSchema } from "./databaseSchema.ts";
import { preparedSqlite } from "./preparedSqlite.ts";
import type { StoreContext, Tx } from "./storeContext.ts";

/**
 * Inserts one row inside the caller's transaction and says whether it was written. With `ignoreConflicts`, a row
 * that breaks a unique constraint is skipped (false) instead of failing. On SQLite a prepared statement per
 * column set runs it: Kysely builds and compiles every wide INSERT anew, which costs more than SQLite takes to
 * write the row, and the engine writes several per workflow run. On PostgreSQL it is a Kysely INSERT.
 */
export async function insertRow<T extends keyof DatabaseSchema & string>(
  ctx: StoreContext,
  tx: Tx,
  table: T,
  row: Insertable<DatabaseSchema[T]>,
  options: { ignoreConflicts?: boolean } = {},
): Promise<boolean> {
  const values = row as Record<string, unknown>;
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  const safe = /^[a-z_]+$/.test(table) && columns.every((c) => /^[a-z_]+$/.test(c));
  const stmt = safe
    ? preparedSqlite(
        ctx,
        `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})${
          options.ignoreConflicts ? " on conflict do nothing" : ""
        }`,
      )
    : null;
  if (stmt) return stmt.run(columns.map((c) => values[c])).changes > 0;
  let q = tx.insertInto(table).values(row as never);
  if (options.ignoreConflicts) q = q.onConflict((oc) => oc.doNothing());
  const result = await q.executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 1) > 0;
}
