import { decodeCursor, encodeCursor } from "../../core/cursor.ts";
import type { StoreContext } from "../storeContext.ts";
import type { Comment, CommentAuthor } from "./addComment.ts";
import { conversationQueries } from "./conversationQueries.ts";

/**
 * A conversation's internal notes, oldest first, read from the event log where addComment (and a workflow's
 * add_comment) writes them. Read through the contact's events, which are indexed by contact.
 */
export async function listComments(
  ctx: StoreContext,
  workspaceId: string,
  conversationId: string,
  page: { limit: number; cursor?: string },
): Promise<{ data: Comment[]; nextCursor: string | null }> {
  const conversation = await conversationQueries.get(ctx, workspaceId, conversationId);
  let q = ctx.db
    .selectFrom("events")
    .select(["id", "payload", "created_at"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", conversation.contactId)
    .where("conversation_id", "=", conversationId)
    .where("type", "=", "conversation.commented");
  if (page.cursor) {
    const [after] = decodeCursor(page.cursor, ["number"]);
    q = q.where("id", ">", Number(after));
  }
  const rows = await q
    .orderBy("id", "asc")
    .limit(page.limit + 1)
    .execute();
  const data = rows.slice(0, page.limit).map((r) => {
    const p = JSON.parse(r.payload) as { by: CommentAuthor; text: string };
    return { id: Number(r.id), conversationId, by: p.by, text: p.text, at: r.created_at };
  });
  const last = data.at(-1);
  return { data, nextCursor: rows.length > page.limit && last ? encodeCursor([last.id]) : null };
}
