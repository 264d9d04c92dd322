import { sql } from "kysely";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import { answerOf } from "./answerOf.ts";

/** An inbound message as the dispatcher read it (content parsed). */
export interface InboundReply {
  id: string;
  type: string;
  channel_id: string;
  content: Record<string, unknown>;
}

/**
 * Completes the one question of a conversation that an inbound message answers; true when it answered one.
 *
 * A message that quotes one of ours (WhatsApp sets `context.id` on button taps and swipe-replies) answers only the
 * question asked with that message: two runs waiting in one conversation each get their own answer. If that
 * question is no longer waiting (answered, timed out), the message answers nothing rather than a question it was
 * not meant for. A message that quotes nothing, or a message no question asked with, answers the question asked
 * last: the one the contact most likely replies to. Other questions keep waiting.
 */
export async function answerWaitingQuestion(
  ctx: StoreContext,
  tx: Tx,
  conversationId: string,
  msg: InboundReply,
): Promise<boolean> {
  const waiting = await tx
    .selectFrom("workflow_waitpoints")
    .select(["id", "run_id", "message_id"])
    .where("conversation_id", "=", conversationId)
    .where("status", "=", "waiting")
    .where("kind", "=", "reply")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  if (waiting.length === 0) return false;
  let wp = waiting[0];
  const quotedId = await quotedMessage(tx, conversationId, msg);
  if (quotedId !== null) {
    const asked = waiting.find((w) => w.message_id === quotedId);
    if (asked) wp = asked;
    else if (await askedWith(tx, conversationId, quotedId)) return false;
  }
  if (!wp) return false;
  const answer = answerOf(msg.id, msg.type, msg.content);
  const now = ctx.now();
  const done = await tx
    .updateTable("workflow_waitpoints")
    .set({ status: "completed", output: JSON.stringify(answer), completed_at: now })
    .where("id", "=", wp.id)
    .where("status", "=", "waiting")
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return false;
  await tx
    .updateTable("workflow_runs")
    .set({ wake_at: now, updated_at: now })
    .where("id", "=", wp.run_id)
    .where("status", "=", "waiting")
    .execute();
  if (ctx.dialect === "postgres") await sql`select pg_notify('parley_runs', '')`.execute(tx);
  return true;
}

/**
 * Our id of the message the inbound one quotes, or null. The inbound context carries Meta's wamid, which is what
 * the send returned and we stored as `wa_message_id` (unique per channel, so looked up with the channel).
 */
async function quotedMessage(tx: Tx, conversationId: string, msg: InboundReply): Promise<string | null> {
  const context = msg.content.context as { message_id?: unknown } | undefined;
  const wamid = typeof context?.message_id === "string" ? context.message_id : "";
  if (!wamid) return null;
  const row = await tx
    .selectFrom("messages")
    .select("id")
    .where("channel_id", "=", msg.channel_id)
    .where("wa_message_id", "=", wamid)
    .where("conversation_id", "=", conversationId)
    .where("direction", "=", "outbound")
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Whether some question in the conversation was asked with this message (whatever its state now). */
async function askedWith(tx: Tx, conversationId: string, messageId: string): Promise<boolean> {
  const row = await tx
    .selectFrom("workflow_waitpoints")
    .select("id")
    .where("message_id", "=", messageId)
    .where("conversation_id", "=", conversationId)
    .where("kind", "=", "reply")
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
