import { decodeCursor, encodeCursor } from "../../core/cursor.ts";
import { AppError } from "../../core/errors.ts";
import type { Db, StoreContext } from "../storeContext.ts";
import { type Conversation, toConversation } from "./conversationRecord.ts";

export interface ConversationFilter {
  status?: "open" | "closed";
  category?: string;
  /** `bot`, `none`, `agent` (any agent) or `agent:<id>`. */
  assignee?: string;
  channelId?: string;
  contactId?: string;
  /** Matches contact name or phone. */
  q?: string;
  limit: number;
  cursor?: string;
}

function joined(db: Db) {
  return db
    .selectFrom("conversations")
    .leftJoin("contacts", "contacts.id", "conversations.contact_id")
    .leftJoin("categories", (j) =>
      j
        .onRef("categories.workspace_id", "=", "conversations.workspace_id")
        .onRef("categories.key", "=", "conversations.close_category_key"),
    )
    .selectAll("conversations")
    .select([
      "contacts.phone as contact_phone",
      "contacts.name as contact_name",
      "categories.name as category_name",
    ]);
}

type Filterable = ReturnType<typeof joined>;

/** The list's filters, shared by the list and the tab counts so the counts match what the list shows. */
function applyFilter<Q extends Filterable>(q: Q, f: Omit<ConversationFilter, "limit" | "cursor">): Q {
  let out = q as Filterable;
  if (f.status) out = out.where("conversations.status", "=", f.status);
  if (f.category) out = out.where("conversations.close_category_key", "=", f.category);
  if (f.channelId) out = out.where("conversations.channel_id", "=", f.channelId);
  if (f.contactId) out = out.where("conversations.contact_id", "=", f.contactId);
  if (f.assignee) {
    const [type, agentId] = f.assignee.split(":", 2);
    if (type !== "bot" && type !== "none" && type !== "agent") {
      throw AppError.validation("assignee", "must be bot, none, agent or agent:<id>");
    }
    out = out.where("conversations.assignee_type", "=", type);
    if (agentId) out = out.where("conversations.assignee_agent_id", "=", agentId);
  }
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    out = out.where((eb) =>
      eb.or([eb(eb.fn("lower", ["contacts.name"]), "like", like), eb("contacts.phone", "like", like)]),
    );
  }
  return out as Q;
}

/** Read side of conversations: one by id, or a keyset-paginated list, newest activity first. */
export const conversationQueries = {
  async get(ctx: StoreContext, workspaceId: string, id: string, db: Db = ctx.db): Promise<Conversation> {
    const row = await joined(db)
      .where("conversations.workspace_id", "=", workspaceId)
      .where("conversations.id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Conversation", id);
    return toConversation(row);
  },

  async list(
    ctx: StoreContext,
    workspaceId: string,
    f: ConversationFilter,
  ): Promise<{ data: Conversation[]; nextCursor: string | null }> {
    let q = applyFilter(joined(ctx.db).where("conversations.workspace_id", "=", workspaceId), f);
    if (f.cursor) {
      const [at, id] = decodeCursor(f.cursor, ["number", "string"]);
      q = q.where((eb) =>
        eb.or([
          eb("conversations.last_activity_at", "<", Number(at)),
          eb.and([
            eb("conversations.last_activity_at", "=", Number(at)),
            eb("conversations.id", "<", String(id)),
          ]),
        ]),
      );
    }
    const rows = await q
      .orderBy("conversations.last_activity_at", "desc")
      .orderBy("conversations.id", "desc")
      .limit(f.limit + 1)
      .execute();
    const data = rows.slice(0, f.limit).map(toConversation);
    const last = data.at(-1);
    return {
      data,
      nextCursor: rows.length > f.limit && last ? encodeCursor([last.lastActivityAt, last.id]) : null,
    };
  },

  /** Counts per status for the inbox tabs, with the list's filters (status aside) applied. */
  async counts(
    ctx: StoreContext,
    workspaceId: string,
    f: Omit<ConversationFilter, "limit" | "cursor" | "status"> = {},
  ): Promise<{ open: number; closed: number }> {
    const rows = await applyFilter(joined(ctx.db).where("conversations.workspace_id", "=", workspaceId), f)
      .clearSelect()
      .select(["conversations.status", (eb) => eb.fn.countAll().as("n")])
      .groupBy("conversations.status")
      .execute();
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    return { open: by.open ?? 0, closed: by.closed ?? 0 };
  },
};
