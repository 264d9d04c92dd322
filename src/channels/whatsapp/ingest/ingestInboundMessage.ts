import { matchOptKeyword } from "../../../core/contact/matchOptKeyword.ts";
import { newId } from "../../../core/newId.ts";
import { normalizeWaId } from "../../../core/normalizeWaId.ts";
import type { Channel } from "../../../store/channelStore.ts";
import { openIn } from "../../../store/conversations/openConversation.ts";
import { previewOf, queueOutboundIn } from "../../../store/messageStore.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { workspaceStore } from "../../../store/workspaceStore.ts";
import { writeEvents } from "../../../store/writeEvents.ts";
import type { WebhookMessageEvent } from "../webhook/webhookEvent.ts";
import { inboundMessageRow } from "./inboundMessageRow.ts";
import { insertInboundContact } from "./insertInboundContact.ts";

export type IngestOutcome = "stored" | "duplicate" | "invalid_sender";

/**
 * An inbound WhatsApp message: upsert the contact by wa_id, use the open conversation on this number (or reopen
 * the last one, or create one), store the message once (Meta delivers at least once), extend the 24-hour window,
 * and honour opt-out / opt-in keywords with one confirmation.
 */
export async function ingestInboundMessage(
  ctx: StoreContext,
  tx: Tx,
  channel: Channel,
  m: WebhookMessageEvent,
): Promise<IngestOutcome> {
  const dup = await tx
    .selectFrom("messages")
    .select("id")
    .where("channel_id", "=", channel.id)
    .where("wa_message_id", "=", m.waMessageId)
    .executeTakeFirst();
  if (dup) return "duplicate";
  const phone = normalizeWaId(m.waId);
  if (!phone) return "invalid_sender";

  const ws = channel.workspaceId;
  const now = ctx.now();
  const at = Math.min(m.timestamp, now);
  let contact = await tx
    .selectFrom("contacts")
    .select(["id", "name", "last_inbound_at", "opted_out"])
    .where("workspace_id", "=", ws)
    .where("phone", "=", phone)
    .executeTakeFirst();
  if (!contact) {
    const id = await insertInboundContact(ctx, tx, ws, phone, m, { at, now });
    contact = { id, name: m.profileName ?? null, last_inbound_at: at, opted_out: 0 };
  } else {
    await tx
      .updateTable("contacts")
      .set({
        name: contact.name ?? m.profileName ?? null,
        last_inbound_at: Math.max(contact.last_inbound_at ?? 0, at),
        updated_at: now,
      })
      .where("id", "=", contact.id)
      .execute();
  }

  const opened = await openIn(ctx, tx, ws, {
    contactId: contact.id,
    channelId: channel.id,
    by: { type: "inbound", id: null },
    known: true,
  });
  if (!opened) throw new Error("conversation changed concurrently");
  const conversationId = opened.id;
  // Read the clock again: the open (or reopen) just took its own time, and the message that caused it must not
  // sort before it in the conversation.
  const messageNow = Math.max(now, ctx.now());

  const messageId = newId();
  await tx
    .insertInto("messages")
    .values(
      inboundMessageRow(
        m,
        { id: messageId, workspaceId: ws, conversationId, contactId: contact.id, channelId: channel.id },
        { at, now: messageNow },
      ),
    )
    .execute();
  await tx
    .updateTable("conversations")
    .set({
      // Webhooks arrive out of order: the window runs from the latest message, not the last one processed.
      last_inbound_at: (eb) =>
        eb
          .case()
          .when(eb.or([eb("last_inbound_at", "is", null), eb("last_inbound_at", "<", at)]))
          .then(eb.val(at))
          .else(eb.ref("last_inbound_at"))
          .end(),
      last_message_at: messageNow,
      last_activity_at: messageNow,
      updated_at: messageNow,
    })
    .where("id", "=", conversationId)
    .execute();
  await writeEvents(
    ctx,
    tx,
    { workspaceId: ws, contactId: contact.id, conversationId },
    [{ type: "message.created", conversationId, messageId, direction: "inbound", messageType: m.type }],
    {
      channelId: channel.id,
      author: { type: "contact", id: contact.id },
      preview: previewOf(m.type, m.content),
    },
  );

  if (m.type === "text" && typeof m.content.text === "string") {
    await applyOptKeyword(ctx, tx, ws, contact.id, contact.opted_out === 1, conversationId, m.content.text);
  }
  return "stored";
}

async function applyOptKeyword(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  contactId: string,
  optedOut: boolean,
  conversationId: string,
  text: string,
): Promise<void> {
  const { settings } = await workspaceStore.getInTx(ctx, workspaceId, tx);
  const keyword = matchOptKeyword(text, settings);
  if (!keyword || (keyword === "out") === optedOut) return;
  const now = ctx.now();
  await tx
    .updateTable("contacts")
    .set({ opted_out: keyword === "out" ? 1 : 0, updated_at: now })
    .where("id", "=", contactId)
    .execute();
  await writeEvents(ctx, tx, { workspaceId, contactId, conversationId }, [
    { type: "contact.updated", contactId, changes: ["opted_out"] },
  ]);
  // The contact just wrote, so the window is open and a free-form confirmation is allowed.
  await queueOutboundIn(ctx, tx, workspaceId, conversationId, {
    type: "text",
    content: { text: keyword === "out" ? settings.opt_out_confirmation : settings.opt_in_confirmation },
    author: { type: "system", id: null },
    by: { type: "system", id: null },
  });
}
