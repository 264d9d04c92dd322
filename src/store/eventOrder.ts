import { type SelectQueryBuilder, sql } from "kysely";
import type { Dialect } from "./createDatabase.ts";
import type { DatabaseSchema } from "./databaseSchema.ts";
import type { Db, Tx } from "./storeContext.ts";

/** A position in the events table, in the order readers may take them (see `eventOrder.after`). */
export type EventCursor = { tx: number; id: number };

/** PostgreSQL: the lowest transaction id still running for the statement's snapshot. */
const horizon = sql<number>`(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint`;

/**
 * The order in which readers of the outbox (the trigger dispatcher, the live stream) can take events without
 * skipping one for good. On SQLite ids follow commits (one writer). On PostgreSQL ids are handed out at insert
 * but transactions commit in their own order, so each event records its transaction (`tx_id`, migration 007)
 * and a reader walks `(tx_id, id)` only up to the horizon: transactions below it have all finished, so they can
 * add no more events behind the reader.
 */
export const eventOrder = {
  /** An event's own position. */
  cursorOf(row: { tx_id: number | string; id: number | string }): EventCursor {
    return { tx: Number(row.tx_id), id: Number(row.id) };
  },

  /** Whether `a` comes before `b` in (tx_id, id) order. */
  before(a: EventCursor, b: EventCursor): boolean {
    return a.tx < b.tx || (a.tx === b.tx && a.id < b.id);
  },

  /** Events after a cursor, in reading order: by id on SQLite, by (tx_id, id) on PostgreSQL. */
  after<Q extends SelectQueryBuilder<DatabaseSchema, "events", object>>(
    dialect: Dialect,
    q: Q,
    cursor: EventCursor,
  ): Q {
    if (dialect === "sqlite") return q.where("id", ">", cursor.id).orderBy("id") as Q;
    return q
      .where(sql<boolean>`(tx_id, id) > (${cursor.tx}, ${cursor.id})`)
      .orderBy("tx_id")
      .orderBy("id") as Q;
  },

  /** The last event after a cursor, in reading order (add a `limit 1`). */
  latest<Q extends SelectQueryBuilder<DatabaseSchema, "events", object>>(
    dialect: Dialect,
    q: Q,
    cursor: EventCursor,
  ): Q {
    if (dialect === "sqlite") return q.where("id", ">", cursor.id).orderBy("id", "desc") as Q;
    return q
      .where(sql<boolean>`(tx_id, id) > (${cursor.tx}, ${cursor.id})`)
      .orderBy("tx_id", "desc")
      .orderBy("id", "desc") as Q;
  },

  /** PostgreSQL: only events below the horizon of this very statement's snapshot (every one of them visible). */
  settled<Q extends SelectQueryBuilder<DatabaseSchema, "events", object>>(q: Q): Q {
    return q.where("tx_id", "<", horizon) as Q;
  },

  /** PostgreSQL: the horizon now, for a reader that must fix it before it takes locks of its own. */
  async horizon(db: Db | Tx): Promise<number> {
    const r = await sql<{ h: number }>`select ${horizon} as h`.execute(db);
    return Number(r.rows[0]?.h);
  },
};
