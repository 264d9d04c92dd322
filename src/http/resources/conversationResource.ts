import { z } from "zod";
import type { Conversation } from "../../store/conversations/conversationRecord.ts";
import { iso } from "./iso.ts";

const actor = z.object({ type: z.string(), id: z.string().nullable() });

export const conversationResource = z
  .object({
    id: z.string(),
    contact_id: z.string(),
    channel_id: z.string(),
    status: z.enum(["open", "closed"]),
    assignee: z.object({ type: z.enum(["bot", "agent", "none"]), agent_id: z.string().optional() }),
    opened_by: actor,
    opened_at: z.string(),
    cycle: z.number().int().describe("How many times this conversation has been opened (1 + reopens)"),
    closed_at: z.string().nullable(),
    closed_by: actor.nullable(),
    category: z.object({ key: z.string(), name: z.string() }).nullable(),
    summary: z.string().nullable(),
    last_inbound_at: z.string().nullable(),
    window_expires_at: z
      .string()
      .nullable()
      .describe("End of the 24-hour customer service window; null if the contact never wrote"),
    last_message_at: z.string().nullable(),
    last_activity_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    contact: z.object({ id: z.string(), phone: z.string(), name: z.string().nullable() }).optional(),
  })
  .meta({ id: "Conversation" });

export function toConversationResource(c: Conversation): z.infer<typeof conversationResource> {
  return {
    id: c.id,
    contact_id: c.contactId,
    channel_id: c.channelId,
    status: c.status,
    assignee: c.assignee,
    opened_by: c.openedBy,
    opened_at: iso(c.openedAt),
    cycle: c.cycle,
    closed_at: iso(c.closedAt),
    closed_by: c.closedBy,
    category: c.category,
    summary: c.summary,
    last_inbound_at: iso(c.lastInboundAt),
    window_expires_at: iso(c.windowExpiresAt),
    last_message_at: iso(c.lastMessageAt),
    last_activity_at: iso(c.lastActivityAt),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    ...(c.contact ? { contact: c.contact } : {}),
  };
}
