import { type Insertable, sql } from "kysely";
import type { DatabaseSchema } from "./databaseSchema.ts";
import { preparedSqlite } from "./preparedSqlite.ts";
import type { StoreContext, Tx } from "./storeContext.ts";
import type { RunRow } from "./workflowTables.ts";

/** The columns `saveRun` writes, with their PostgreSQL types (VALUES lists carry none, so they are cast). */
const RUN_COLUMN_TYPES = {
  status: "text",
  current_step: "text",
  step_count: "integer",
  context: "text",
  conversation_id: "text",
  wake_at: "bigint",
  waitpoint_id: "text",
  skip_reason: "text",
  error: "text",
  finished_at: "bigint",
  lease_owner: "text",
  lease_until: "bigint",
  updated_at: "bigint",
} as const satisfies Partial<Record<keyof RunRow, string>>;

type RunColumn = keyof typeof RUN_COLUMN_TYPES;
const RUN_COLUMNS = Object.keys(RUN_COLUMN_TYPES) as RunColumn[];

/** A run's position as the engine saves it after a round. */
export type RunUpdate = Pick<RunRow, "id" | RunColumn>;

/** Bound parameters per statement at most: PostgreSQL allows 65,535. */
const MAX_PARAMS = 30_000;

type Part = { sql: ReturnType<typeof sql>; params: number };

/**
 * PostgreSQL: a transaction's held rows (see deferredWrites), its runs' saved positions and its NOTIFYs in one
 * statement, each table's rows a data-modifying WITH query of it, instead of a round trip each. They touch
 * different rows, so running them side by side in one statement is the same as one after the other; foreign
 * keys are checked at the statement's end. Split only when a statement would pass MAX_PARAMS.
 */
export async function writeAtOnce(
  tx: Tx,
  tables: {
    table: keyof DatabaseSchema & string;
    rows: Insertable<DatabaseSchema[keyof DatabaseSchema]>[];
  }[],
  runs: RunUpdate[],
  notify: [channel: string, payload: string][],
): Promise<void> {
  const parts: Part[] = [];
  for (const { table, rows } of tables) {
    if (rows.length === 0) continue;
    const width = Object.keys(rows[0] as object).length;
    const per = Math.max(1, Math.floor(MAX_PARAMS / width));
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      parts.push({ sql: sql`${tx.insertInto(table).values(chunk as never)}`, params: chunk.length * width });
    }
  }
  const per = Math.floor(MAX_PARAMS / (RUN_COLUMNS.length + 1));
  for (let i = 0; i < runs.length; i += per) {
    const chunk = runs.slice(i, i + per);
    parts.push({ sql: updateRunsSql(chunk), params: chunk.length * (RUN_COLUMNS.length + 1) });
  }
  // Greedy: as many parts per statement as fit beside the NOTIFYs, which ride on the last statement.
  const calls = notify.map(([channel, payload]) => sql`pg_notify(${channel}, ${payload})`);
  const statements: Part[][] = [[]];
  let used = calls.length * 2;
  for (const part of parts) {
    const current = statements.at(-1) as Part[];
    if (current.length > 0 && used + part.params > MAX_PARAMS) {
      statements.push([part]);
      used = calls.length * 2 + part.params;
    } else {
      current.push(part);
      used += part.params;
    }
  }
  for (const [k, group] of statements.entries()) {
    const tail =
      k === statements.length - 1 && calls.length > 0 ? sql`select ${sql.join(calls)}` : sql`select 1`;
    if (group.length > 0) {
      const ctes = group.map((p, n) => sql`${sql.raw(`w${n}`)} as (${p.sql})`);
      await sql`with ${sql.join(ctes)} ${tail}`.execute(tx);
    } else if (calls.length > 0) await tail.execute(tx);
  }
}

/** Runs' saved positions as one UPDATE … FROM (VALUES …) (types cast: the values carry no column types). */
function updateRunsSql(runs: RunUpdate[]) {
  const values = runs.map(
    (r) =>
      sql`(${sql.join([sql`${r.id}::text`, ...RUN_COLUMNS.map((c) => sql`${r[c]}::${sql.raw(RUN_COLUMN_TYPES[c])}`)])})`,
  );
  const set = RUN_COLUMNS.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`);
  const columns = sql.join(RUN_COLUMNS.map((c) => sql.ref(c)));
  return sql`update workflow_runs as r set ${sql.join(set)} from (values ${sql.join(values)}) as v(id, ${columns}) where r.id = v.id`;
}

/** SQLite: runs' saved positions, one prepared UPDATE each (no SQL to build; SQLite needs no round trips). */
export function saveRunsSqlite(ctx: StoreContext, runs: RunUpdate[]): void {
  const stmt = preparedSqlite(
    ctx,
    `update workflow_runs set ${RUN_COLUMNS.map((c) => `${c} = ?`).join(", ")} where id = ?`,
  );
  if (!stmt) throw new Error("saveRunsSqlite needs SQLite");
  for (const r of runs) stmt.run([...RUN_COLUMNS.map((c) => r[c]), r.id]);
}
