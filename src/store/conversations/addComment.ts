import type { Actor } from "../../core/conversation/conversationSchema.ts";
import { AppError } from "../../core/errors.ts";
import { inTransaction } from "../inTransaction.ts";
import type { StoreContext, Tx } from "../storeContext.ts";
import { writeEvents } from "../writeEvents.ts";

/**
 * Who wrote a note. `name` is kept with the note for authors the team can't look up by id (a workflow, which may
 * be renamed or deleted later); agents are shown by their current name instead.
 */
export type CommentAuthor = Actor & { name?: string };

export interface Comment {
  id: number;
  conversationId: string;
  by: CommentAuthor;
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
  input: { text: string; by: CommentAuthor },
): Promise<Comment> {
  return inTransaction(ctx, async (tx) => {
    const contactId = await addCommentIn(ctx, tx, workspaceId, conversationId, input);
    const row = await tx
      .selectFrom("events")
      .select(["id", "created_at"])
      .where("contact_id", "=", contactId)
      .where("conversation_id", "=", conversationId)
      .where("type", "=", "conversation.commented")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), conversationId, by: input.by, text: input.text, at: row.created_at };
  });
}

/**
 * The note inside the caller's transaction (a workflow's add_comment writes it with the run's step). Its event
 * may be one the transaction writes only at its end (deferredWrites), so it is not read back here. Returns the
 * conversation's contact.
 */
export async function addCommentIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  input: { text: string; by: CommentAuthor },
): Promise<string> {
  const conversation = await tx
    .selectFrom("conversations")
    .select("contact_id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", conversationId)
    .executeTakeFirst();
  if (!conversation) throw AppError.notFound("Conversation", conversationId);
  await writeEvents(ctx, tx, { workspaceId, contactId: conversation.contact_id, conversationId }, [
    { type: "conversation.commented", conversationId, by: input.by, text: input.text },
  ]);
  return conversation.contact_id;
}
