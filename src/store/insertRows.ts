import type { Insertable } from "kysely";
import type { DatabaseSchema } from "./databaseSchema.ts";
import { preparedSqlite } from "./preparedSqlite.ts";
import type { StoreContext, Tx } from "./storeContext.ts";

/** Rows per multi-row INSERT on PostgreSQL: far below its bound-parameter limit. */
const CHUNK = 400;

/**
 * Inserts rows into a table inside the caller's transaction: on SQLite one prepared single-row INSERT run per
 * row (no SQL to build), on PostgreSQL multi-row INSERTs. Rows must all set the same columns (else the Kysely
 * path, which fills the gaps with defaults, is used on SQLite too).
 */
export async function insertRows<T extends keyof DatabaseSchema & string>(
  ctx: StoreContext,
  tx: Tx,
  table: T,
  rows: Insertable<DatabaseSchema[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const first = rows[0] as Record<string, unknown>;
  const columns = Object.keys(first).filter((c) => first[c] !== undefined);
  const uniform = rows.every((r) => {
    const row = r as Record<string, unknown>;
    return (
      columns.every((c) => row[c] !== undefined) &&
      Object.keys(row).filter((c) => row[c] !== undefined).length === columns.length
    );
  });
  const stmt =
    uniform && /^[a-z_]+$/.test(table) && columns.every((c) => /^[a-z_]+$/.test(c))
      ? preparedSqlite(
          ctx,
          `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
        )
      : null;
  if (stmt) {
    for (const r of rows) {
      const row = r as Record<string, unknown>;
      stmt.run(columns.map((c) => row[c]));
    }
    return;
  }
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
}
