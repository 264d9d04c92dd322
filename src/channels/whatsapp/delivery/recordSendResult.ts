import type { Logger } from "pino";
import type { MessageRow } from "../../../store/databaseSchema.ts";
import { preparedSqlite } from "../../../store/preparedSqlite.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { writeEvents } from "../../../store/writeEvents.ts";
import { backoffDelayMs } from "../graph/classifyGraphError.ts";
import type { SendResult } from "./sendOne.ts";

/** After this many attempts a transient failure becomes permanent. */
export const MAX_SEND_ATTEMPTS = 8;

/**
 * The "after" half of a send, in the caller's transaction (SendResultRecorder records many in one): sent,
 * rescheduled with backoff, or failed with Meta's code and detail.
 */
export async function recordSendResult(
  ctx: StoreContext,
  tx: Tx,
  m: MessageRow,
  r: SendResult,
  log: Logger,
): Promise<void> {
  const now = ctx.now();
  const scope = { workspaceId: m.workspace_id, contactId: m.contact_id, conversationId: m.conversation_id };
  if (r.ok) {
    // A status webhook may already have moved it on (it carries our id); only `sending` becomes `sent`.
    if ((await markSent(ctx, tx, m.id, r.waMessageId, now)) > 0) {
      await writeEvents(ctx, tx, scope, [
        {
          type: "message.status_changed",
          conversationId: m.conversation_id,
          messageId: m.id,
          status: "sent",
          previous: "sending",
        },
      ]);
    }
    return;
  }
  if (!r.permanent && m.attempts < MAX_SEND_ATTEMPTS) {
    const delay = backoffDelayMs(m.attempts, r.retryAfterMs, r.code);
    log.info(
      { messageId: m.id, code: r.code, attempt: m.attempts, delayMs: delay },
      "transient send failure; will retry",
    );
    await tx
      .updateTable("messages")
      .set({
        status: "queued",
        next_attempt_at: now + delay,
        lease_until: null,
        error_code: r.code,
        error_detail: r.detail,
        updated_at: now,
      })
      .where("id", "=", m.id)
      .where("status", "=", "sending")
      .execute();
    return;
  }
  log.warn({ messageId: m.id, code: r.code, detail: r.detail }, "message failed");
  await tx
    .updateTable("messages")
    .set({
      status: "failed",
      error_code: r.code,
      error_detail: r.detail,
      failed_at: now,
      lease_until: null,
      updated_at: now,
    })
    .where("id", "=", m.id)
    .execute();
  await writeEvents(ctx, tx, scope, [
    {
      type: "message.status_changed",
      conversationId: m.conversation_id,
      messageId: m.id,
      status: "failed",
      previous: "sending",
      error: { code: r.code, detail: r.detail },
    },
  ]);
  if (r.windowClosed) {
    await tx
      .updateTable("conversations")
      .set({ window_closed_at: now, updated_at: now })
      .where("id", "=", m.conversation_id)
      .execute();
  }
  if (r.channelUnhealthy) {
    await tx
      .updateTable("channels")
      .set({ healthy: 0, unhealthy_reason: `${r.code}: ${r.detail}`, updated_at: now })
      .where("id", "=", m.channel_id)
      .execute();
  }
}

/** Records the wamid and moves `sending` to `sent`; returns 1 when the status moved. */
async function markSent(
  ctx: StoreContext,
  tx: Tx,
  id: string,
  waMessageId: string,
  now: number,
): Promise<number> {
  const ids = preparedSqlite(
    ctx,
    "update messages set wa_message_id = ?, lease_until = null, updated_at = ? where id = ?",
  );
  const moves = preparedSqlite(
    ctx,
    "update messages set status = 'sent', sent_at = ? where id = ? and status = 'sending'",
  );
  if (ids && moves) {
    // SQLite, in the caller's transaction: these two run for every send, prepared once.
    ids.run(waMessageId, now, id);
    return moves.run(now, id).changes;
  }
  await tx
    .updateTable("messages")
    .set({ wa_message_id: waMessageId, lease_until: null, updated_at: now })
    .where("id", "=", id)
    .execute();
  const moved = await tx
    .updateTable("messages")
    .set({ status: "sent", sent_at: now })
    .where("id", "=", id)
    .where("status", "=", "sending")
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}
