import { preparedSqlite } from "../../../store/preparedSqlite.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { deliveryKey } from "./deliveryKey.ts";
import type { SpooledDelivery } from "./spoolFrames.ts";

const INSERT_SQLITE = `insert into webhook_deliveries (channel_id, body_hash, body, received_at, processed_at, attempts, error)
  values (?, ?, ?, ?, ?, 0, null) on conflict (body_hash) do nothing`;

/** Rows per multi-row INSERT on PostgreSQL: far below its bound-parameter limit. */
const CHUNK = 500;

/**
 * Stores raw webhook deliveries in the caller's transaction and returns the rows it wrote: a body stored before
 * (Meta's retry, or a spool read again after a crash) is skipped. `processedAt` is null for deliveries to be
 * processed later (WebhookInbox), or the time when the same transaction processes them (the webhook thread),
 * which spares each row a second write of its body. On SQLite each row is one prepared statement (building the
 * multi-row INSERT through Kysely cost more than writing it); on PostgreSQL, multi-row INSERTs.
 */
export async function insertDeliveries(
  ctx: StoreContext,
  tx: Tx,
  deliveries: SpooledDelivery[],
  processedAt: number | null,
): Promise<{ id: number; channel_id: string | null; body: string }[]> {
  const stmt = preparedSqlite(ctx, INSERT_SQLITE);
  if (stmt) {
    const rows = [];
    for (const d of deliveries) {
      const r = stmt.run(d.channelId, deliveryKey(d.body), d.body, d.receivedAt, processedAt);
      if (r.changes > 0) rows.push({ id: Number(r.lastInsertRowid), channel_id: d.channelId, body: d.body });
    }
    return rows;
  }
  const rows = [];
  for (let i = 0; i < deliveries.length; i += CHUNK) {
    const values = deliveries.slice(i, i + CHUNK).map((d) => ({
      channel_id: d.channelId,
      body_hash: deliveryKey(d.body),
      body: d.body,
      received_at: d.receivedAt,
      processed_at: processedAt,
      attempts: 0,
      error: null,
    }));
    rows.push(
      ...(await tx
        .insertInto("webhook_deliveries")
        .values(values)
        .onConflict((oc) => oc.column("body_hash").doNothing())
        .returning(["id", "channel_id", "body"])
        .execute()),
    );
  }
  return rows;
}
