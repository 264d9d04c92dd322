import type { Actor } from "../../core/conversation/conversationSchema.ts";
import { inTransaction } from "../inTransaction.ts";
import type { StoreContext } from "../storeContext.ts";
import { writeEvents } from "../writeEvents.ts";
import { conversationQueries } from "./conversationQueries.ts";

export interface Comment {
  id: number;
  conversationId: string;
  by: Actor;
  text: string;
  at: number;
}

/**
 * Adds an internal note to a conversation. A note is an event, not a message: it lives in the conversation's
 * and contact's timeline and on the live stream, and no code path can deliver it to the customer.
 */
export async function addComment(
  ctx: StoreContext,
  workspaceId: string,
  conversationId: string,
  input: { text: string; by: Actor },
): Promise<Comment> {
  return inTransaction(ctx, async (tx) => {
    const conversation = await conversationQueries.get(ctx, workspaceId, conversationId, tx);
    await writeEvents(ctx, tx, { workspaceId, contactId: conversation.contactId, conversationId }, [
      { type: "conversation.commented", conversationId, by: input.by, text: input.text },
    ]);
    const row = await tx
      .selectFrom("events")
      .select(["id", "created_at"])
      .where("conversation_id", "=", conversationId)
      .where("type", "=", "conversation.commented")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), conversationId, by: input.by, text: input.text, at: row.created_at };
  });
}
