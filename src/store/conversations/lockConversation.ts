import type { ConversationRow } from "../databaseSchema.ts";
import type { StoreContext, Tx } from "../storeContext.ts";

/** A workspace's conversation by id, read `for update` on PostgreSQL so that the caller's change can't race. */
export function lockConversation(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  conversationId: string,
): Promise<ConversationRow | undefined> {
  let q = tx
    .selectFrom("conversations")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", conversationId);
  if (ctx.dialect === "postgres") q = q.forUpdate();
  return q.executeTakeFirst();
}
