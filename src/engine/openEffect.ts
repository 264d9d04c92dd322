import { outboundMessageSchema } from "../channels/whatsapp/graph/outboundMessageSchema.ts";
import {
  queueWhatsAppMessageIn,
  type SendableConversation,
} from "../channels/whatsapp/queueWhatsAppMessage.ts";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import type { WorkflowDefinition } from "../core/workflow/workflowDefinitionSchema.ts";
import { configMemo } from "../store/configMemo.ts";
import { contactStore } from "../store/contactStore.ts";
import { assignIn } from "../store/conversations/assignConversation.ts";
import { windowExpiresAt } from "../store/conversations/conversationRecord.ts";
import { lockLatestConversation, openIn } from "../store/conversations/openConversation.ts";
import type { ContactRow } from "../store/databaseSchema.ts";
import { deferredWrites } from "../store/deferredWrites.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import { templateStore } from "../store/templateStore.ts";
import type { RunRow } from "../store/workflowTables.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import type { ApplyOutcome } from "./applyEffects.ts";
import { checkGuardrails } from "./checkGuardrails.ts";
import type { Effect } from "./stepTypes.ts";

/**
 * Open Conversation: picks the number, applies the guardrails when the open is business-initiated (the contact's
 * 24-hour window is closed), opens / reopens / reuses the conversation, assigns it, and queues the first message:
 * the text inside the window, the template outside it.
 */
export async function openEffect(
  ctx: StoreContext,
  tx: Tx,
  o: {
    run: RunRow;
    definition: WorkflowDefinition;
    effect: Extract<Effect, { kind: "open" }>;
    key: string;
    /** The run's contact, already read (and locked on PostgreSQL) in this transaction for this step. */
    contact?: ContactRow;
    /** Told the conversation's row as the first message leaves it (see queueOutboundIn). */
    onConversation?: (row: SendableConversation) => void;
  },
): Promise<ApplyOutcome> {
  const { run, effect: e } = o;
  const ws = run.workspace_id;
  if (!run.contact_id)
    throw AppError.validation("contact", "the run has no contact to open a conversation with");
  const channels = await configMemo(ctx, tx, `channels:${ws}`, () =>
    tx
      .selectFrom("channels")
      .select(["id", "name", "messaging_limit"])
      .where("workspace_id", "=", ws)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
  );
  const channel = e.channel ? channels.find((c) => c.id === e.channel || c.name === e.channel) : channels[0];
  if (!channel)
    throw AppError.validation(
      "channel",
      e.channel ? `unknown channel "${e.channel}"` : "the workspace has no channel",
    );
  // Locked so that concurrent runs for one contact count its recent opens one after the other (frequency cap).
  const contact =
    o.contact?.id === run.contact_id ? o.contact : await contactStore.rowIn(ctx, tx, run.contact_id, true);
  if (!contact) throw AppError.notFound("Contact", run.contact_id);

  const now = ctx.now();
  const latest = await lockLatestConversation(ctx, tx, contact.id, channel.id);
  const windowOpen = latest ? (windowExpiresAt(latest) ?? 0) > now : false;
  const log: Record<string, unknown> = { channel_id: channel.id, business_initiated: !windowOpen };
  // A workflow never writes to someone who said stop, not even inside the window (which the STOP message itself
  // may have opened); the other guardrails are for business-initiated opens only.
  if (windowOpen && e.message && contact.opted_out === 1) return { kind: "skip", reason: "opted_out" };
  if (!windowOpen) {
    const settings = (await workspaceStore.getInTx(ctx, ws, tx)).settings;
    const tpl = e.message?.template;
    const category = tpl
      ? ((await templateStore.findInTx(ctx, channel.id, tpl.name, tpl.language, tx))?.category ?? null)
      : null;
    const verdict = await checkGuardrails(ctx, tx, {
      now,
      settings,
      definition: o.definition,
      contact,
      channel,
      templateCategory: category,
    });
    if (verdict.kind !== "allow") return verdict;
    const open = {
      id: newId(),
      workspace_id: ws,
      contact_id: contact.id,
      channel_id: channel.id,
      run_id: run.id,
      at: now,
    };
    await deferredWrites.write(ctx, tx, "business_opens", [open]);
  }

  const m = e.message;
  const first = m
    ? windowOpen && m.text
      ? { text: m.text }
      : m.template
        ? { template: m.template }
        : null
    : null;
  const by = { type: "workflow" as const, id: run.workflow_id };
  let opened: Awaited<ReturnType<typeof openIn>> = null;
  for (let attempt = 0; attempt < 3 && !opened; attempt++)
    opened = await openIn(ctx, tx, ws, {
      contactId: contact.id,
      channelId: channel.id,
      assignee: e.assign,
      by,
      // Read above in this transaction: the workspace's channel, the run's contact, and (first try only; a lost
      // race re-reads) the locked latest conversation.
      known: true,
      ...(attempt === 0 ? { latest: { row: latest } } : {}),
      // Opened and first written to at the same time: a new row records its first message as it is inserted.
      at: now,
      withMessage: first !== null,
    });
  if (!opened) throw new AppError("conflict", "the conversation changed concurrently");
  if (e.assign && opened.outcome === "unchanged") await assignIn(ctx, tx, ws, opened.id, e.assign, by);
  run.conversation_id = opened.id;
  log.conversation_id = opened.id;
  log.outcome = opened.outcome;

  if (m && !first) log.message = "not sent: the 24-hour window is closed and the step has no template";
  if (first) {
    const parsed = outboundMessageSchema.safeParse(first);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw AppError.validation(
        `message.${issue?.path.join(".") ?? ""}`,
        issue?.message ?? "invalid message",
      );
    }
    const msg = await queueWhatsAppMessageIn(ctx, tx, ws, opened.id, {
      message: parsed.data,
      author: { type: "workflow", id: run.workflow_id },
      by,
      idempotencyKey: o.key,
      onConversation: o.onConversation,
      at: now,
      // A conversation created just now is exactly what was written, this message's time included
      // (withMessage); only a reopened one is read again and has the time written.
      ...(opened.created
        ? {
            conversation: {
              ...opened.created,
              opted_out: contact.opted_out,
              marketing_opt_out: contact.marketing_opt_out,
            },
            deferTouch: true,
          }
        : {}),
    });
    log.message_id = msg.id;
    log.message_kind = "template" in first ? "template" : "text";
  }
  return { kind: "ok", log };
}
