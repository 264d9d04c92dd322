import { z } from "zod";
import type { Message } from "../../store/messageStore.ts";
import { iso } from "./iso.ts";

export const messageResource = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    contact_id: z.string(),
    channel_id: z.string(),
    direction: z.enum(["inbound", "outbound"]),
    type: z.string(),
    content: z.record(z.string(), z.unknown()),
    author: z.object({ type: z.string(), id: z.string().nullable() }),
    wa_message_id: z.string().nullable(),
    status: z.enum(["queued", "sending", "sent", "delivered", "read", "failed", "received"]),
    error: z.object({ code: z.string().nullable(), detail: z.string().nullable() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    sent_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    read_at: z.string().nullable(),
    failed_at: z.string().nullable(),
  })
  .meta({ id: "Message" });

export function toMessageResource(m: Message): z.infer<typeof messageResource> {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    contact_id: m.contactId,
    channel_id: m.channelId,
    direction: m.direction,
    type: m.type,
    content: m.content,
    author: m.author,
    wa_message_id: m.waMessageId,
    status: m.status,
    error: m.error,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    sent_at: iso(m.sentAt),
    delivered_at: iso(m.deliveredAt),
    read_at: iso(m.readAt),
    failed_at: iso(m.failedAt),
  };
}
