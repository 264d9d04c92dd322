import { preparedSqlite } from "../../../store/preparedSqlite.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { deliveryKey } from "./deliveryKey.ts";
import type { SpooledDelivery } from "./spoolFrames.ts";

const INSERT_SQLITE = `insert into webhook_deliveries (channel_id, body_hash, body, received_at, processed_at, attempts, error)
  values (?, ?, ?, ?, ?, 0, null) on conflict (body_hash) do nothing`;

/**
 * Stores deliveries already marked processed at `processedAt`, inside the transaction that processes them, and
 * returns the rows it wrote: a body stored before (Meta's retry, or a spool read again after a crash) is
 * skipped, so it is processed only once. Writing them processed spares each row a second write of its body.
 */
export async function insertDeliveries(
  ctx: StoreContext,
  tx: Tx,
  deliveries: SpooledDelivery[],
  processedAt: number,
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
  for (const d of deliveries) {
    const row = await tx
      .insertInto("webhook_deliveries")
      .values({
        channel_id: d.channelId,
        body_hash: deliveryKey(d.body),
        body: d.body,
        received_at: d.receivedAt,
        processed_at: processedAt,
        attempts: 0,
        error: null,
      })
      .onConflict((oc) => oc.column("body_hash").doNothing())
      .returning(["id", "channel_id", "body"])
      .executeTakeFirst();
    if (row) rows.push(row);
  }
  return rows;
}
