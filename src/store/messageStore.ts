import type { Actor } from "../core/conversation/conversationSchema.ts";
import { decodeCursor, encodeCursor } from "../core/cursor.ts";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import { openIn } from "./conversations/openConversation.ts";
import type { ConversationRow, MessageRow, MessagesTable } from "./databaseSchema.ts";
import { deferredWrites } from "./deferredWrites.ts";
import { insertRow } from "./insertRow.ts";
import { inTransaction } from "./inTransaction.ts";
import type { Db, StoreContext, Tx } from "./storeContext.ts";
import { writeEvents } from "./writeEvents.ts";

export interface Message {
  id: string;
  conversationId: string;
  contactId: string;
  channelId: string;
  direction: "inbound" | "outbound";
  type: string;
  content: Record<string, unknown>;
  author: { type: MessagesTable["author_type"]; id: string | null };
  waMessageId: string | null;
  status: MessagesTable["status"];
  error: { code: string | null; detail: string | null } | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
}

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  contactId: r.contact_id,
  channelId: r.channel_id,
  direction: r.direction,
  type: r.type,
  content: JSON.parse(r.content),
  author: { type: r.author_type, id: r.author_id },
  waMessageId: r.wa_message_id,
  status: r.status,
  error: r.error_code || r.error_detail ? { code: r.error_code, detail: r.error_detail } : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  readAt: r.read_at,
  failedAt: r.failed_at,
});

export interface OutboundInput {
  type: string;
  content: Record<string, unknown>;
  author: { type: "bot" | "agent" | "api" | "workflow" | "system"; id: string | null };
  /** Who reopens the conversation when it is closed (an agent or API reply reopens it, as in the inbox). */
  by: Actor;
  idempotencyKey?: string;
  /** The conversation's row, when the caller read it in this transaction and changed nothing since. */
  conversation?: ConversationRow;
  /** Told the conversation's row as this call leaves it, when it knows it (not after reopening one). */
  onConversation?: (row: ConversationRow) => void;
  /**
   * The caller writes (or, inserting the conversation with it, has written) the conversation's new last-message
   * time itself, with its next write to the row (a workflow round's close) or before anything else reads it: only
   * `onConversation` is told, and no UPDATE is made here. Ignored when the conversation is closed (it is reopened
   * here).
   */
  deferTouch?: boolean;
  /** The time to record (default: now). */
  at?: number;
}

/** Writes a queued outbound message inside `tx`; the channel's delivery worker sends it. */
export async function queueOutboundIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  input: OutboundInput,
): Promise<MessageRow> {
  const conv =
    input.conversation ??
    (await tx
      .selectFrom("conversations")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", conversationId)
      .executeTakeFirst());
  if (!conv) throw AppError.notFound("Conversation", conversationId);
  // A closed conversation is reopened before the insert, so a repeat must be found first; otherwise the unique
  // (workspace, idempotency key) constraint finds it, one statement fewer on the common path.
  if (input.idempotencyKey && conv.status === "closed") {
    const existing = await tx
      .selectFrom("messages")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("idempotency_key", "=", input.idempotencyKey)
      .executeTakeFirst();
    if (existing) return existing;
  }
  if (conv.status === "closed") {
    await openIn(ctx, tx, workspaceId, {
      contactId: conv.contact_id,
      channelId: conv.channel_id,
      by: input.by,
    });
  }
  const now = input.at ?? ctx.now();
  const row: MessageRow = {
    id: newId(),
    workspace_id: workspaceId,
    conversation_id: conv.id,
    contact_id: conv.contact_id,
    channel_id: conv.channel_id,
    direction: "outbound",
    type: input.type,
    content: JSON.stringify(input.content),
    author_type: input.author.type,
    author_id: input.author.id,
    wa_message_id: null,
    status: "queued",
    error_code: null,
    error_detail: null,
    attempts: 0,
    next_attempt_at: now,
    idempotency_key: input.idempotencyKey ?? null,
    created_at: now,
    updated_at: now,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    lease_until: null,
    send_started_at: null,
  };
  // A workflow batch writes its messages at its end. Its keys are unique per run and step, so the only repeat it
  // can meet is one it holds itself; anything else breaks the batch's commit and its runs are driven one by one.
  if (input.idempotencyKey) {
    const held = deferredWrites
      .pendingRows(tx, "messages")
      .find((m) => m.workspace_id === workspaceId && m.idempotency_key === input.idempotencyKey);
    if (held) return held as MessageRow;
  }
  if (deferredWrites.add(tx, "messages", [row])) {
    // Deferred: written at the end of the transaction.
  } else if (!(await insertRow(ctx, tx, "messages", row, { ignoreConflicts: true }))) {
    // The only conflict a new row can meet is a repeated (workspace, idempotency key): the ids are fresh.
    const existing = await tx
      .selectFrom("messages")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("idempotency_key", "=", input.idempotencyKey ?? "")
      .executeTakeFirst();
    if (!existing) throw new AppError("conflict", "the message changed concurrently; try again");
    return existing;
  }
  if (conv.status === "closed" || !input.deferTouch) await touchConversation(tx, conv.id, now);
  if (conv.status !== "closed")
    input.onConversation?.({ ...conv, last_message_at: now, last_activity_at: now, updated_at: now });
  await writeEvents(
    ctx,
    tx,
    { workspaceId, contactId: conv.contact_id, conversationId: conv.id },
    [
      {
        type: "message.created",
        conversationId: conv.id,
        messageId: row.id,
        direction: "outbound",
        messageType: row.type,
      },
    ],
    { channelId: conv.channel_id, author: input.author, preview: previewOf(row.type, input.content) },
  );
  return row;
}

/** Records a message written on the conversation at `at` as its last message and activity. */
export async function touchConversation(tx: Tx, conversationId: string, at: number): Promise<void> {
  await tx
    .updateTable("conversations")
    .set({ last_message_at: at, last_activity_at: at, updated_at: at })
    .where("id", "=", conversationId)
    .execute();
}

/** A short plain-text rendering of a message for lists, timelines and notifications. */
export function previewOf(type: string, content: Record<string, unknown>): string {
  const pick = (o: unknown, ...keys: string[]): unknown =>
    o && typeof o === "object"
      ? keys.map((k) => (o as Record<string, unknown>)[k]).find((v) => v !== undefined)
      : undefined;
  // Inbound taps carry the tapped title, outbound interactive and media their body or caption.
  const text =
    pick(content, "text", "body", "caption") ??
    pick(content.reply, "title") ??
    pick(content.interactive, "body") ??
    pick(content.image, "caption") ??
    pick(content.document, "caption", "filename");
  if (typeof text === "string") return text.slice(0, 200);
  const template = pick(content.template, "name") ?? (type === "template" ? content.name : undefined);
  if (typeof template === "string") return `[template ${template}]`;
  return `[${type}]`;
}

/** Messages: queued outbound sends and logged inbound ones, in conversation order. */
export const messageStore = {
  async queueOutbound(
    ctx: StoreContext,
    workspaceId: string,
    conversationId: string,
    input: OutboundInput,
  ): Promise<Message> {
    return toMessage(
      await inTransaction(ctx, (tx) => queueOutboundIn(ctx, tx, workspaceId, conversationId, input)),
    );
  },

  async get(ctx: StoreContext, workspaceId: string, id: string, db: Db = ctx.db): Promise<Message> {
    const row = await db
      .selectFrom("messages")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Message", id);
    return toMessage(row);
  },

  /** Oldest first (chat order), or newest first for a chat view; the cursor continues after the last message returned. */
  async list(
    ctx: StoreContext,
    workspaceId: string,
    conversationId: string,
    page: { limit: number; cursor?: string; order?: "oldest" | "newest" },
  ): Promise<{ data: Message[]; nextCursor: string | null }> {
    const newest = page.order === "newest";
    const past = newest ? "<" : ">";
    let q = ctx.db
      .selectFrom("messages")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("conversation_id", "=", conversationId);
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ["number", "string"]);
      q = q.where((eb) =>
        eb.or([
          eb("created_at", past, Number(at)),
          eb.and([eb("created_at", "=", Number(at)), eb("id", past, String(id))]),
        ]),
      );
    }
    const rows = await q
      .orderBy("created_at", newest ? "desc" : "asc")
      .orderBy("id", newest ? "desc" : "asc")
      .limit(page.limit + 1)
      .execute();
    const data = rows.slice(0, page.limit).map(toMessage);
    const last = data.at(-1);
    return {
      data,
      nextCursor: rows.length > page.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
    };
  },
};
