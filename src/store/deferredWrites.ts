import { type Insertable, sql } from "kysely";
import type { DatabaseSchema } from "./databaseSchema.ts";
import { insertRows } from "./insertRows.ts";
import type { StoreContext, Tx } from "./storeContext.ts";

type DeferredTable = "events" | "workflow_run_steps";

interface Pending {
  rows: { [T in DeferredTable]: Insertable<DatabaseSchema[T]>[] };
  /** PostgreSQL NOTIFY channel and payload, each sent once. */
  notify: Set<string>;
}

const pending = new WeakMap<Tx, Pending>();

/**
 * Write-only rows (outbox events, workflow step logs) of a transaction that opted in are kept in memory and
 * inserted at its end, many rows per statement, with one NOTIFY per workspace: a batch of workflow runs otherwise
 * spends a statement (and on PostgreSQL a round trip, plus one for each NOTIFY) per event. Only for transactions
 * that never read those rows back; a rolled-back transaction simply drops them.
 */
export const deferredWrites = {
  enable(tx: Tx): void {
    pending.set(tx, { rows: { events: [], workflow_run_steps: [] }, notify: new Set() });
  },

  /** Keeps the rows for the end of the transaction; false when it doesn't defer and the caller must insert now. */
  add<T extends DeferredTable>(
    tx: Tx,
    table: T,
    rows: Insertable<DatabaseSchema[T]>[],
    notify?: string,
  ): boolean {
    const p = pending.get(tx);
    if (!p) return false;
    (p.rows[table] as Insertable<DatabaseSchema[T]>[]).push(...rows);
    if (notify) p.notify.add(`parley_events\n${notify}`);
    return true;
  },

  /** A NOTIFY sent once at the end of the transaction; false when it doesn't defer and the caller must send now. */
  notify(tx: Tx, channel: string, payload: string): boolean {
    const p = pending.get(tx);
    if (!p) return false;
    p.notify.add(`${channel}\n${payload}`);
    return true;
  },

  async flush(ctx: StoreContext, tx: Tx): Promise<void> {
    const p = pending.get(tx);
    if (!p) return;
    pending.delete(tx);
    await insertRows(ctx, tx, "events", p.rows.events);
    await insertRows(ctx, tx, "workflow_run_steps", p.rows.workflow_run_steps);
    if (ctx.dialect === "postgres" && p.notify.size > 0) {
      // All in one statement: each is a round trip otherwise.
      const calls = [...p.notify].map((n) => {
        const [channel, payload] = n.split("\n");
        return sql`pg_notify(${channel}, ${payload})`;
      });
      await sql`select ${sql.join(calls)}`.execute(tx);
    }
  },
};
