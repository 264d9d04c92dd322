import type { Insertable } from "kysely";
import type { DatabaseSchema } from "./databaseSchema.ts";
import { insertRows } from "./insertRows.ts";
import type { StoreContext, Tx } from "./storeContext.ts";
import { type RunUpdate, saveRunsSqlite, writeAtOnce } from "./writeAtOnce.ts";

/** Tables whose inserts a transaction may keep for its end. Outbox events and step logs are never read back. */
export type DeferredTable =
  | "events"
  | "workflow_run_steps"
  | "business_opens"
  | "messages"
  | "conversation_closings"
  | "workflow_runs";

/**
 * What a transaction defers: `outbox` its events and step logs; `trigger` (a batch of webhook triggers) also
 * the runs it starts; `engine` (a workflow batch) also its runs' queued messages, closings, business-initiated
 * opens and saved positions.
 */
export type DeferScope = "outbox" | "trigger" | "engine";

const TABLES: Record<DeferScope, ReadonlySet<DeferredTable>> = {
  outbox: new Set(["events", "workflow_run_steps"]),
  trigger: new Set(["events", "workflow_run_steps", "workflow_runs"]),
  engine: new Set(["events", "workflow_run_steps", "business_opens", "messages", "conversation_closings"]),
};

/** The order they are written in at the end (none references another). */
const ORDER: readonly DeferredTable[] = [
  "workflow_runs",
  "business_opens",
  "messages",
  "conversation_closings",
  "events",
  "workflow_run_steps",
];

interface Pending {
  tables: ReadonlySet<DeferredTable>;
  rows: { [T in DeferredTable]: Insertable<DatabaseSchema[T]>[] };
  /** The latest saved position of each run, written once at the end. */
  runs: Map<string, RunUpdate> | null;
  /** PostgreSQL NOTIFY channel and payload, each sent once. */
  notify: Set<string>;
}

const pending = new WeakMap<Tx, Pending>();

/**
 * Write-only rows of a transaction that opted in are kept in memory and written at its end, many rows per
 * statement, with one NOTIFY per channel and payload: a batch of workflow runs otherwise spends a statement (and
 * on PostgreSQL a round trip) per row. Only for rows the same transaction never reads back through SQL: outbox
 * events and step logs always; a trigger batch the runs it starts (a repeated dedupe key in the same batch
 * finds its holder's id, not its row); a workflow batch also its queued messages, closings, business-initiated opens
 * (the guardrails count the pending ones through `pendingRows`) and its runs' saved positions. A rolled-back
 * transaction simply drops them; a row that breaks a constraint fails the commit, and with it the whole batch.
 */
export const deferredWrites = {
  enable(tx: Tx, scope: DeferScope = "outbox"): void {
    pending.set(tx, {
      tables: TABLES[scope],
      rows: Object.fromEntries(ORDER.map((table) => [table, []])) as unknown as Pending["rows"],
      runs: scope === "engine" ? new Map() : null,
      notify: new Set(),
    });
  },

  /** Keeps the rows for the end of the transaction; false when it doesn't defer and the caller must insert now. */
  add<T extends DeferredTable>(
    tx: Tx,
    table: T,
    rows: Insertable<DatabaseSchema[T]>[],
    notify?: string,
  ): boolean {
    const p = pending.get(tx);
    if (!p?.tables.has(table)) return false;
    (p.rows[table] as Insertable<DatabaseSchema[T]>[]).push(...rows);
    if (notify) p.notify.add(`parley_events\n${notify}`);
    return true;
  },

  /** Holds the rows for the end of the transaction when it defers `table`, else inserts them now. */
  async write<T extends DeferredTable>(
    ctx: StoreContext,
    tx: Tx,
    table: T,
    rows: Insertable<DatabaseSchema[T]>[],
  ): Promise<void> {
    if (!this.add(tx, table, rows)) await insertRows(ctx, tx, table, rows);
  },

  /** The rows of `table` this transaction still holds (empty when it writes them at once). */
  pendingRows<T extends DeferredTable>(tx: Tx, table: T): readonly Insertable<DatabaseSchema[T]>[] {
    return (pending.get(tx)?.rows[table] as Insertable<DatabaseSchema[T]>[] | undefined) ?? [];
  },

  /** Keeps a run's new position for the end of the transaction; false when the caller must update it now. */
  saveRun(tx: Tx, run: RunUpdate): boolean {
    const runs = pending.get(tx)?.runs;
    if (!runs) return false;
    runs.set(run.id, run);
    return true;
  },

  /** A NOTIFY sent once at the end of the transaction; false when it doesn't defer and the caller must send now. */
  notify(tx: Tx, channel: string, payload: string): boolean {
    const p = pending.get(tx);
    if (!p) return false;
    p.notify.add(`${channel}\n${payload}`);
    return true;
  },

  /** Writes the held rows of `table` now, for a read that must see them. */
  async flushTable(ctx: StoreContext, tx: Tx, table: DeferredTable): Promise<void> {
    const p = pending.get(tx);
    if (!p || p.rows[table].length === 0) return;
    const rows = p.rows[table];
    p.rows[table] = [];
    await insertRows(ctx, tx, table, rows as never);
  },

  async flush(ctx: StoreContext, tx: Tx): Promise<void> {
    const p = pending.get(tx);
    if (!p) return;
    pending.delete(tx);
    const runs = [...(p.runs?.values() ?? [])];
    if (ctx.dialect === "postgres") {
      const notify = [...p.notify].map((n) => n.split("\n") as [string, string]);
      await writeAtOnce(
        tx,
        ORDER.map((table) => ({ table, rows: p.rows[table] })),
        runs,
        notify,
      );
      return;
    }
    for (const table of ORDER) await insertRows(ctx, tx, table, p.rows[table] as never);
    if (runs.length > 0) saveRunsSqlite(ctx, runs);
  },
};
