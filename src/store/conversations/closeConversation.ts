import { checkClosingNotes } from "../../core/conversation/checkClosingNotes.ts";
import type { Actor } from "../../core/conversation/conversationSchema.ts";
import { transitionConversation } from "../../core/conversation/transitionConversation.ts";
import { AppError } from "../../core/errors.ts";
import { newId } from "../../core/newId.ts";
import { categoryStore } from "../categoryStore.ts";
import type { ConversationRow } from "../databaseSchema.ts";
import { deferredWrites } from "../deferredWrites.ts";
import { inTransaction } from "../inTransaction.ts";
import type { StoreContext, Tx } from "../storeContext.ts";
import { workspaceStore } from "../workspaceStore.ts";
import { writeEvents } from "../writeEvents.ts";
import { conversationQueries } from "./conversationQueries.ts";
import { type Conversation, stateColumns, toState } from "./conversationRecord.ts";
import { lockConversation } from "./lockConversation.ts";

export interface CloseInput {
  category?: string | null;
  summary?: string | null;
  by: Actor;
}

/**
 * Close Conversation: enforces the workspace's closing-notes policy, resolves the category (key or name, active
 * only), marks the conversation closed, records one closing per open/close cycle and emits `conversation.closed`.
 */
export async function closeConversation(
  ctx: StoreContext,
  workspaceId: string,
  conversationId: string,
  input: CloseInput,
): Promise<Conversation> {
  await inTransaction(ctx, (tx) => closeIn(ctx, tx, workspaceId, conversationId, input));
  return conversationQueries.get(ctx, workspaceId, conversationId);
}

/**
 * The transactional core of closeConversation. With `skipIfClosed` (workflows), a conversation that is already
 * closed is left as it is and the result is false; otherwise closing a closed conversation is a conflict.
 */
export async function closeIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  input: CloseInput,
  options: {
    skipIfClosed?: boolean;
    /**
     * The conversation's row as this transaction last wrote it (so it holds its lock), or is about to: not read
     * again, and its last-message time is written with the close (see queueOutboundIn's deferTouch).
     */
    known?: ConversationRow;
  } = {},
): Promise<boolean> {
  const row =
    options.known?.id === conversationId
      ? options.known
      : await lockConversation(ctx, tx, workspaceId, conversationId);
  if (!row) throw AppError.notFound("Conversation", conversationId);
  if (options.skipIfClosed && row.status === "closed") return false;

  const workspace = await workspaceStore.getInTx(ctx, workspaceId, tx);
  const notes = checkClosingNotes(workspace.closingNotes, input);
  const category = notes.category
    ? await categoryStore.resolveForClose(ctx, workspaceId, notes.category, tx)
    : null;

  const now = ctx.now();
  const t = transitionConversation(toState(row), {
    kind: "close",
    by: input.by,
    categoryKey: category?.key ?? null,
    summary: notes.summary,
    now,
  });
  const updated = await tx
    .updateTable("conversations")
    .set({
      ...stateColumns(t.state),
      ...(options.known ? { last_message_at: row.last_message_at } : {}),
      last_activity_at: now,
      updated_at: now,
    })
    .where("id", "=", row.id)
    .where("version", "=", row.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    throw new AppError("conflict", `Conversation ${conversationId} changed while closing; try again`);
  }
  const closing = {
    id: newId(),
    workspace_id: workspaceId,
    conversation_id: row.id,
    contact_id: row.contact_id,
    channel_id: row.channel_id,
    cycle: row.cycle,
    category_key: category?.key ?? null,
    summary: notes.summary,
    closed_by_type: input.by.type,
    closed_by_id: input.by.id,
    opened_at: row.opened_at,
    closed_at: now,
    duration_ms: Math.max(0, now - row.opened_at),
  };
  await deferredWrites.write(ctx, tx, "conversation_closings", [closing]);
  await writeEvents(ctx, tx, { workspaceId, contactId: row.contact_id, conversationId: row.id }, t.events, {
    channelId: row.channel_id,
    categoryName: category?.name ?? null,
  });
  return true;
}
