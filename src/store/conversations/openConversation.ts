import type { Actor, Assignee } from "../../core/conversation/conversationSchema.ts";
import { transitionConversation } from "../../core/conversation/transitionConversation.ts";
import { AppError } from "../../core/errors.ts";
import { newId } from "../../core/newId.ts";
import type { ConversationRow } from "../databaseSchema.ts";
import { insertRow } from "../insertRow.ts";
import { inTransaction } from "../inTransaction.ts";
import { preparedSqlite } from "../preparedSqlite.ts";
import type { StoreContext, Tx } from "../storeContext.ts";
import { writeEvents } from "../writeEvents.ts";
import { conversationQueries } from "./conversationQueries.ts";
import { type Conversation, stateColumns, toState } from "./conversationRecord.ts";

export interface OpenInput {
  contactId: string;
  channelId: string;
  assignee?: Assignee;
  by: Actor;
  /** The caller already read the contact and channel in this transaction (inbound ingestion, workflows). */
  known?: boolean;
  /** The caller already locked the latest conversation in this transaction (lockLatestConversation) and changed nothing since. */
  latest?: { row: ConversationRow | undefined };
  /** The time to record (default: now). */
  at?: number;
  /** A message is queued on it at `at` in the same transaction: a new row records it as its last message. */
  withMessage?: boolean;
}

export interface OpenResult {
  conversation: Conversation;
  created: boolean;
  reopened: boolean;
}

/** The contact's conversation on a channel: the open one if any, else the most recent one. Locked on PostgreSQL. */
export async function lockLatestConversation(
  ctx: StoreContext,
  tx: Tx,
  contactId: string,
  channelId: string,
): Promise<ConversationRow | undefined> {
  // Every open comes here: on SQLite, inside the caller's transaction, no SQL to build.
  const stmt = tx.isTransaction
    ? preparedSqlite(
        ctx,
        "select * from conversations where contact_id = ? and channel_id = ? order by last_activity_at desc, id desc limit 1",
      )
    : null;
  if (stmt) return stmt.get(contactId, channelId) as ConversationRow | undefined;
  let q = tx
    .selectFrom("conversations")
    .selectAll()
    .where("contact_id", "=", contactId)
    .where("channel_id", "=", channelId)
    .orderBy("last_activity_at", "desc")
    .orderBy("id", "desc")
    .limit(1);
  if (ctx.dialect === "postgres") q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Open Conversation: returns the contact's open conversation unchanged, reopens the last closed one (same id,
 * history kept), or creates one. Safe under concurrency: the database allows one open conversation per contact
 * and channel, and a loser of the race reads the winner's conversation.
 */
export async function openConversation(
  ctx: StoreContext,
  workspaceId: string,
  input: OpenInput,
): Promise<OpenResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = await inTransaction(ctx, (tx) => openIn(ctx, tx, workspaceId, input));
    if (result) {
      const conversation = await conversationQueries.get(ctx, workspaceId, result.id);
      return { conversation, created: result.outcome === "created", reopened: result.outcome === "reopened" };
    }
  }
  throw new AppError("conflict", "The conversation changed concurrently; try again");
}

/** The transactional core of openConversation, reusable inside a larger transaction (inbound messages, workflows). */
export async function openIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  input: OpenInput,
): Promise<{
  id: string;
  outcome: "created" | "reopened" | "unchanged";
  /** The new row as written, when the conversation was created (callers can skip re-reading it). */
  created?: ConversationRow;
} | null> {
  if (!input.known) await checkBelongs(tx, workspaceId, input);

  const now = input.at ?? ctx.now();
  const row = input.latest
    ? input.latest.row
    : await lockLatestConversation(ctx, tx, input.contactId, input.channelId);
  const t = transitionConversation(row ? toState(row) : null, {
    kind: "open",
    id: newId(),
    by: input.by,
    assignee: input.assignee,
    now,
  });
  if (t.outcome === "unchanged" && row) return { id: row.id, outcome: "unchanged" };

  let created: ConversationRow | undefined;
  if (t.outcome === "created") {
    created = {
      ...(stateColumns(t.state) as ConversationRow),
      id: t.state.id,
      workspace_id: workspaceId,
      contact_id: input.contactId,
      channel_id: input.channelId,
      status: "open",
      assignee_type: t.state.assignee.type,
      opened_by_type: input.by.type === "system" ? "api" : input.by.type,
      opened_at: now,
      cycle: 1,
      version: 1,
      last_inbound_at: null,
      window_closed_at: null,
      last_message_at: input.withMessage ? now : null,
      last_activity_at: now,
      created_at: now,
      updated_at: now,
    };
    const inserted = await insertRow(ctx, tx, "conversations", created, { ignoreConflicts: true });
    // Another transaction created the open conversation first: retry, which will find it.
    if (!inserted) return null;
  } else if (row) {
    const updated = await tx
      .updateTable("conversations")
      .set({ ...stateColumns(t.state), last_activity_at: now, updated_at: now })
      .where("id", "=", row.id)
      .where("version", "=", row.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return null;
  }
  await writeEvents(
    ctx,
    tx,
    { workspaceId, contactId: input.contactId, conversationId: t.state.id },
    t.events,
    {
      channelId: input.channelId,
    },
  );
  return created ? { id: t.state.id, outcome: "created", created } : { id: t.state.id, outcome: "reopened" };
}

/** Another workspace's contact or channel is a 404, never a conversation across workspaces. */
async function checkBelongs(tx: Tx, workspaceId: string, input: OpenInput): Promise<void> {
  const contact = await tx
    .selectFrom("contacts")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", input.contactId)
    .executeTakeFirst();
  if (!contact) throw AppError.notFound("Contact", input.contactId);
  const channel = await tx
    .selectFrom("channels")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", input.channelId)
    .executeTakeFirst();
  if (!channel) throw AppError.notFound("Channel", input.channelId);
}
