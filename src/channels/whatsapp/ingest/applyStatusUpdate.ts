import type { Channel } from "../../../store/channelStore.ts";
import type { MessageRow, MessagesTable } from "../../../store/databaseSchema.ts";
import { preparedSqlite } from "../../../store/preparedSqlite.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { writeEvents } from "../../../store/writeEvents.ts";
import type { WebhookStatusEvent } from "../webhook/webhookEvent.ts";
import type { StatusPrefetch } from "./StatusPrefetch.ts";

type Status = MessagesTable["status"];
const rank: Partial<Record<Status, number>> = { queued: 0, sending: 0, sent: 1, delivered: 2, read: 3 };

/** Meta's window-closed error: the customer last wrote more than 24 h ago. */
const WINDOW_CLOSED = "131047";

/**
 * A status webhook for one of our messages. Statuses only move forward (sent < delivered < read); a `read`
 * without `delivered` is fine; a `failed` after delivered/read is kept as an error but does not regress.
 * Returns false when the message is not ours (or not known yet). `prefetch` (a webhook batch's) saves the reads.
 */
export async function applyStatusUpdate(
  ctx: StoreContext,
  tx: Tx,
  channel: Channel,
  s: WebhookStatusEvent,
  prefetch?: StatusPrefetch,
): Promise<boolean> {
  let msg =
    prefetch?.get(channel, s) ??
    (await tx
      .selectFrom("messages")
      .selectAll()
      .where("channel_id", "=", channel.id)
      .where("wa_message_id", "=", s.waMessageId)
      .executeTakeFirst());
  // The status can outrun our own record of the wamid; we send our message id as biz_opaque_callback_data.
  if (!msg && s.bizOpaqueCallbackData) {
    msg = await tx
      .selectFrom("messages")
      .selectAll()
      .where("channel_id", "=", channel.id)
      .where("id", "=", s.bizOpaqueCallbackData)
      .where("direction", "=", "outbound")
      .executeTakeFirst();
  }
  if (msg?.direction !== "outbound") return false;

  const now = ctx.now();
  const at = s.timestamp || now;
  const set: Partial<MessagesTable> = { updated_at: now, wa_message_id: msg.wa_message_id ?? s.waMessageId };
  let next: Status = msg.status;
  if (s.status === "failed") {
    const e = s.errors?.[0];
    set.error_code = e ? String(e.code) : "unknown";
    set.error_detail = e ? (e.details ?? e.message ?? e.title ?? null) : "failed without details";
    set.failed_at = at;
    if ((rank[msg.status] ?? 0) < 2 && msg.status !== "failed") next = "failed";
    if (e && String(e.code) === WINDOW_CLOSED) {
      await tx
        .updateTable("conversations")
        .set({ window_closed_at: at, updated_at: now })
        .where("id", "=", msg.conversation_id)
        .execute();
    }
  } else if (s.status === "sent" || s.status === "delivered" || s.status === "read") {
    if (s.status === "sent") set.sent_at = msg.sent_at ?? at;
    if (s.status === "delivered" || s.status === "read") set.delivered_at = msg.delivered_at ?? at;
    if (s.status === "read") set.read_at = msg.read_at ?? at;
    if (msg.status !== "failed" && rank[s.status]! > (rank[msg.status] ?? 0)) next = s.status;
  } else {
    return true; // e.g. `played` for voice: nothing to record beyond what we have
  }
  set.status = next;
  await writeStatus(ctx, tx, msg, set);
  if (next !== msg.status) {
    await writeEvents(
      ctx,
      tx,
      { workspaceId: msg.workspace_id, contactId: msg.contact_id, conversationId: msg.conversation_id },
      [
        {
          type: "message.status_changed",
          conversationId: msg.conversation_id,
          messageId: msg.id,
          status: next,
          previous: msg.status,
          ...(next === "failed"
            ? { error: { code: set.error_code ?? null, detail: set.error_detail ?? null } }
            : {}),
        },
      ],
    );
  }
  // Last: the event above needs the status it moved from.
  prefetch?.update(msg, set);
  return true;
}

const STATUS_COLUMNS = [
  "status",
  "wa_message_id",
  "sent_at",
  "delivered_at",
  "read_at",
  "failed_at",
  "error_code",
  "error_detail",
  "updated_at",
] as const;

/**
 * Writes the status columns. On SQLite the row was read in this very transaction (nothing else can have
 * written it since), so one prepared statement writes all of them: a status webhook batch otherwise spends most
 * of its time having Kysely build a differently shaped UPDATE per status.
 */
async function writeStatus(ctx: StoreContext, tx: Tx, msg: MessageRow, set: Partial<MessagesTable>) {
  const stmt = preparedSqlite(
    ctx,
    `update messages set ${STATUS_COLUMNS.map((c) => `${c} = ?`).join(", ")} where id = ?`,
  );
  if (!stmt) {
    await tx.updateTable("messages").set(set).where("id", "=", msg.id).execute();
    return;
  }
  const row = { ...msg, ...set };
  stmt.run(...STATUS_COLUMNS.map((c) => row[c] ?? null), msg.id);
}
