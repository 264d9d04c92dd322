import { median } from "../core/median.ts";
import type { ClosingRow } from "./databaseSchema.ts";
import type { StoreContext } from "./storeContext.ts";

export interface Closing {
  id: string;
  conversationId: string;
  contactId: string;
  channelId: string;
  cycle: number;
  category: { key: string; name: string } | null;
  summary: string | null;
  closedBy: { type: string; id: string | null };
  openedAt: number;
  closedAt: number;
  durationMs: number;
}

const toClosing = (r: ClosingRow & { category_name: string | null }): Closing => ({
  id: r.id,
  conversationId: r.conversation_id,
  contactId: r.contact_id,
  channelId: r.channel_id,
  cycle: r.cycle,
  category: r.category_key ? { key: r.category_key, name: r.category_name ?? r.category_key } : null,
  summary: r.summary,
  closedBy: { type: r.closed_by_type, id: r.closed_by_id },
  openedAt: r.opened_at,
  closedAt: r.closed_at,
  durationMs: r.duration_ms,
});

/** One record per open/close cycle: the basis of the contact's history and of close reports. */
export const closingStore = {
  async list(
    ctx: StoreContext,
    workspaceId: string,
    filter: { conversationId?: string; contactId?: string; limit: number },
  ): Promise<Closing[]> {
    let q = ctx.db
      .selectFrom("conversation_closings as c")
      .leftJoin("categories", (j) =>
        j
          .onRef("categories.workspace_id", "=", "c.workspace_id")
          .onRef("categories.key", "=", "c.category_key"),
      )
      .selectAll("c")
      .select("categories.name as category_name")
      .where("c.workspace_id", "=", workspaceId);
    if (filter.conversationId) q = q.where("c.conversation_id", "=", filter.conversationId);
    if (filter.contactId) q = q.where("c.contact_id", "=", filter.contactId);
    return (await q.orderBy("c.closed_at", "desc").orderBy("c.id", "desc").limit(filter.limit).execute()).map(
      toClosing,
    );
  },

  /** Closes per category in a time range (every cycle counts, also of conversations reopened many times). */
  async countByCategory(
    ctx: StoreContext,
    workspaceId: string,
    range: { from: number; to: number; channelId?: string },
  ): Promise<{ key: string | null; name: string | null; count: number; medianDurationMs: number | null }[]> {
    let q = ctx.db
      .selectFrom("conversation_closings as c")
      .select(["c.category_key", "c.duration_ms"])
      .where("c.workspace_id", "=", workspaceId)
      .where("c.closed_at", ">=", range.from)
      .where("c.closed_at", "<", range.to);
    if (range.channelId) q = q.where("c.channel_id", "=", range.channelId);
    const rows = await q.execute();
    const names = new Map(
      (
        await ctx.db
          .selectFrom("categories")
          .select(["key", "name"])
          .where("workspace_id", "=", workspaceId)
          .execute()
      ).map((c) => [c.key, c.name]),
    );
    const groups = new Map<string | null, number[]>();
    for (const r of rows) groups.set(r.category_key, [...(groups.get(r.category_key) ?? []), r.duration_ms]);
    return [...groups.entries()]
      .map(([key, durations]) => {
        return {
          key,
          name: key ? (names.get(key) ?? key) : null,
          count: durations.length,
          medianDurationMs: median(durations),
        };
      })
      .sort((a, b) => b.count - a.count);
  },
};
