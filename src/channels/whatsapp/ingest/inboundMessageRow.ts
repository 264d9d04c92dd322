import type { Insertable } from "kysely";
import type { MessagesTable } from "../../../store/databaseSchema.ts";
import type { WebhookMessageEvent } from "../webhook/webhookEvent.ts";

/**
 * The stored row of an inbound WhatsApp message, shared by the one-at-a-time and the batch ingestion paths so both
 * store exactly the same thing: `sent_at` is when the contact sent it, `delivered_at` when Parley received it.
 */
export function inboundMessageRow(
  m: WebhookMessageEvent,
  ids: { id: string; workspaceId: string; conversationId: string; contactId: string; channelId: string },
  times: { at: number; now: number },
): Insertable<MessagesTable> {
  const error = m.errors?.[0];
  return {
    id: ids.id,
    workspace_id: ids.workspaceId,
    conversation_id: ids.conversationId,
    contact_id: ids.contactId,
    channel_id: ids.channelId,
    direction: "inbound",
    type: m.type,
    content: JSON.stringify({
      ...m.content,
      ...(m.contextMessageId ? { context: { message_id: m.contextMessageId } } : {}),
    }),
    author_type: "contact",
    author_id: ids.contactId,
    wa_message_id: m.waMessageId,
    status: "received",
    error_code: error ? String(error.code) : null,
    error_detail: error ? (error.details ?? error.message ?? error.title ?? null) : null,
    attempts: 0,
    next_attempt_at: null,
    idempotency_key: null,
    created_at: times.now,
    updated_at: times.now,
    sent_at: times.at,
    delivered_at: times.now,
    read_at: null,
    failed_at: null,
    lease_until: null,
    send_started_at: null,
  };
}
