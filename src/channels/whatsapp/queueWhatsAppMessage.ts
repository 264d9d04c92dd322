import type { Actor } from "../../core/conversation/conversationSchema.ts";
import { AppError } from "../../core/errors.ts";
import { windowExpiresAt } from "../../store/conversations/conversationRecord.ts";
import type { ConversationRow, MessageRow } from "../../store/databaseSchema.ts";
import { queueOutboundIn } from "../../store/messageStore.ts";
import type { StoreContext, Tx } from "../../store/storeContext.ts";
import { templateStore } from "../../store/templateStore.ts";
import { type OutboundMessage, outboundKind } from "./graph/outboundMessageSchema.ts";

export interface QueueInput {
  message: OutboundMessage;
  author: { type: "bot" | "agent" | "api" | "workflow" | "system"; id: string | null };
  by: Actor;
  idempotencyKey?: string;
  /** The conversation as `readSendable` returned it in this transaction, when the caller read it already. */
  conversation?: SendableConversation;
  /** Told the conversation as this call leaves it, when it knows it (see queueOutboundIn). */
  onConversation?: (row: SendableConversation) => void;
  /** The time to record (default: now). */
  at?: number;
  /** See queueOutboundIn. */
  deferTouch?: boolean;
}

export type SendableConversation = ConversationRow & { opted_out: number; marketing_opt_out: number };

/** The conversation with its contact's opt-out flags: everything the WhatsApp rules below look at. */
export function readSendable(
  tx: Tx,
  workspaceId: string,
  conversationId: string,
): Promise<SendableConversation | undefined> {
  return tx
    .selectFrom("conversations")
    .innerJoin("contacts", "contacts.id", "conversations.contact_id")
    .selectAll("conversations")
    .select(["contacts.opted_out", "contacts.marketing_opt_out"])
    .where("conversations.workspace_id", "=", workspaceId)
    .where("conversations.id", "=", conversationId)
    .executeTakeFirst();
}

/**
 * The WhatsApp rules checked before a message is queued: free-form only inside the 24-hour window (templates
 * always), templates registered, APPROVED and given the right parameters, and no business-initiated message to
 * a contact who opted out. Everything here is refused with a 422 that names the field, before Meta sees it.
 */
export async function queueWhatsAppMessageIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  input: QueueInput,
): Promise<MessageRow> {
  const conv = input.conversation ?? (await readSendable(tx, workspaceId, conversationId));
  if (!conv) throw AppError.notFound("Conversation", conversationId);
  const type = outboundKind(input.message);
  const now = input.at ?? ctx.now();
  const expires = windowExpiresAt(conv);
  const windowOpen = expires !== null && expires > now;

  if (input.message.template) {
    const tpl = input.message.template;
    const t = await templateStore.requireSendable(ctx, conv.channel_id, tpl.name, tpl.language, tx);
    const given = tpl.body ?? [];
    if (given.length !== t.bodyParamCount) {
      throw AppError.validation(
        "template.body",
        `template "${t.name}" takes ${t.bodyParamCount} body parameter${t.bodyParamCount === 1 ? "" : "s"}, got ${given.length}`,
      );
    }
    if (t.parameterFormat === "named") {
      const names = given.map((p) => (typeof p === "string" ? null : p.name));
      const missing = t.paramNames.filter((n) => !names.includes(n));
      if (missing.length > 0)
        throw AppError.validation("template.body", `named parameters missing: ${missing.join(", ")}`);
    }
    if (t.category === "MARKETING" && conv.marketing_opt_out === 1) {
      throw AppError.validation(
        "template.name",
        "the contact stopped marketing messages; send a utility template or wait for them to write",
      );
    }
  } else if (!windowOpen) {
    const last = conv.last_inbound_at ? new Date(conv.last_inbound_at).toISOString() : "never";
    throw new AppError(
      "window_closed",
      `The 24-hour customer service window is closed (the contact last wrote: ${last}); send an approved template instead`,
      [{ field: type, message: "free-form messages need an open customer service window; use a template" }],
    );
  }
  if (conv.opted_out === 1 && !windowOpen) {
    throw AppError.validation(
      "contact",
      "the contact opted out; only replies inside a window they opened are allowed",
    );
  }
  return queueOutboundIn(ctx, tx, workspaceId, conversationId, {
    type,
    content: input.message,
    author: input.author,
    by: input.by,
    idempotencyKey: input.idempotencyKey,
    at: input.at,
    deferTouch: input.deferTouch,
    conversation: toConversationRow(conv),
    onConversation:
      input.onConversation &&
      ((row) =>
        input.onConversation?.({
          ...row,
          opted_out: conv.opted_out,
          marketing_opt_out: conv.marketing_opt_out,
        })),
  });
}

/** The conversation's own columns of the joined row (the contact's opt-out flags stripped). */
function toConversationRow(row: SendableConversation): ConversationRow {
  const { opted_out: _o, marketing_opt_out: _m, ...conversation } = row;
  return conversation;
}
