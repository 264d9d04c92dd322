import type { Actor, Assignee } from "../../core/conversation/conversationSchema.ts";
import { transitionConversation } from "../../core/conversation/transitionConversation.ts";
import { AppError } from "../../core/errors.ts";
import { inTransaction } from "../inTransaction.ts";
import type { StoreContext, Tx } from "../storeContext.ts";
import { writeEvents } from "../writeEvents.ts";
import { conversationQueries } from "./conversationQueries.ts";
import { type Conversation, stateColumns, toState } from "./conversationRecord.ts";
import { lockConversation } from "./lockConversation.ts";

/** Assigns a conversation to the bot, an agent, or nobody; a no-op when nothing changes. */
export async function assignConversation(
  ctx: StoreContext,
  workspaceId: string,
  conversationId: string,
  assignee: Assignee,
  by: Actor,
): Promise<Conversation> {
  await inTransaction(ctx, (tx) => assignIn(ctx, tx, workspaceId, conversationId, assignee, by));
  return conversationQueries.get(ctx, workspaceId, conversationId);
}

export async function assignIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  assignee: Assignee,
  by: Actor,
) {
  const row = await lockConversation(ctx, tx, workspaceId, conversationId);
  if (!row) throw AppError.notFound("Conversation", conversationId);
  const t = transitionConversation(toState(row), { kind: "assign", by, assignee, now: ctx.now() });
  if (t.outcome === "unchanged") return;
  const now = ctx.now();
  await tx
    .updateTable("conversations")
    .set({ ...stateColumns(t.state), last_activity_at: now, updated_at: now })
    .where("id", "=", row.id)
    .execute();
  await writeEvents(ctx, tx, { workspaceId, contactId: row.contact_id, conversationId: row.id }, t.events, {
    channelId: row.channel_id,
  });
}
