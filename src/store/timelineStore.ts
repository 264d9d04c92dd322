import { decodeCursor, encodeCursor } from "../core/cursor.ts";
import type { StoreContext } from "./storeContext.ts";

export interface TimelineEntry {
  id: number;
  type: string;
  at: number;
  conversationId: string | null;
  details: Record<string, unknown>;
}

const TIMELINE_TYPES = [
  "conversation.opened",
  "conversation.reopened",
  "conversation.assigned",
  "conversation.closed",
  "conversation.commented",
  "message.created",
  "contact.updated",
];

/** The contact's history, read from the event log: every open, reopen, assignment, close and message, in order (or newest first). */
export const timelineStore = {
  async list(
    ctx: StoreContext,
    workspaceId: string,
    contactId: string,
    page: { limit: number; cursor?: string; types?: string[]; order?: "oldest" | "newest" },
  ): Promise<{ data: TimelineEntry[]; nextCursor: string | null }> {
    const newest = page.order === "newest";
    let q = ctx.db
      .selectFrom("events")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("contact_id", "=", contactId)
      .where("type", "in", page.types?.length ? page.types : TIMELINE_TYPES);
    if (page.cursor) {
      const [after] = decodeCursor(page.cursor, ["number"]);
      q = q.where("id", newest ? "<" : ">", Number(after));
    }
    const rows = await q
      .orderBy("id", newest ? "desc" : "asc")
      .limit(page.limit + 1)
      .execute();
    const data = rows.slice(0, page.limit).map((r) => {
      const { type: _type, ...details } = JSON.parse(r.payload) as Record<string, unknown>;
      return { id: r.id, type: r.type, at: r.created_at, conversationId: r.conversation_id, details };
    });
    const last = data.at(-1);
    return { data, nextCursor: rows.length > page.limit && last ? encodeCursor([last.id]) : null };
  },
};
