import { sql } from "kysely";
import { median } from "../core/median.ts";
import type { StoreContext } from "./storeContext.ts";

/**
 * Who sends a business reply: the message author types that count as a response to the customer. `api` is a
 * reply sent with an API key (an integration or a script answering for the business).
 */
const REPLY_AUTHORS = ["agent", "bot", "workflow", "api"] as const;

export interface ClosedCycle {
  closingId: string;
  conversationId: string;
  channelId: string;
  contactPhone: string | null;
  contactName: string | null;
  category: { key: string; name: string } | null;
  summary: string | null;
  closedBy: { type: string; id: string | null };
  closedByName: string | null;
  openedAt: number;
  closedAt: number;
  resolutionMs: number;
  /** When the customer started waiting: their first message in the cycle, else the open. */
  waitingSince: number;
  /** The first business reply (agent, bot, workflow or API key; not a failed send) between open and close. */
  firstReply: { at: number; author: { type: string; id: string | null }; authorName: string | null } | null;
}

/**
 * Every open → close cycle closed in the range, with its first business reply: the rows behind the
 * response-time report and the CSV export. First-response time runs from the customer's first message in the
 * cycle (or the open, when they haven't written) to the first business reply after it, so a template a workflow
 * sends as it opens a conversation doesn't count as answering the customer; resolution time is close minus open. The first reply is found per cycle through the messages index
 * (conversation_id, created_at), so a long history is not scanned.
 */
export async function closedCycles(
  ctx: StoreContext,
  workspaceId: string,
  range: { from: number; to: number; channelId?: string; limit?: number },
): Promise<ClosedCycle[]> {
  // The customer's first message in the cycle: a correlated subquery on the messages index, used twice below.
  const firstInbound = sql<number | null>`(select min(i.created_at) from messages i
    where i.conversation_id = k.conversation_id and i.direction = 'inbound'
      and i.created_at >= k.opened_at and i.created_at <= k.closed_at)`;
  let q = ctx.db
    .selectFrom("conversation_closings as k")
    .leftJoin("categories as cat", (j) =>
      j.onRef("cat.workspace_id", "=", "k.workspace_id").onRef("cat.key", "=", "k.category_key"),
    )
    .leftJoin("contacts as ct", "ct.id", "k.contact_id")
    .leftJoin("users as u", (j) =>
      j.onRef("u.id", "=", "k.closed_by_id").on("k.closed_by_type", "=", "agent"),
    )
    .select((eb) => [
      "k.id",
      "k.conversation_id",
      "k.channel_id",
      "k.category_key",
      "k.summary",
      "k.closed_by_type",
      "k.closed_by_id",
      "k.opened_at",
      "k.closed_at",
      "k.duration_ms",
      "cat.name as category_name",
      "ct.phone as contact_phone",
      "ct.name as contact_name",
      "u.name as closer_name",
      firstInbound.as("first_inbound_at"),
      eb
        .selectFrom("messages as m")
        .select("m.id")
        .whereRef("m.conversation_id", "=", "k.conversation_id")
        .where("m.direction", "=", "outbound")
        .where("m.author_type", "in", REPLY_AUTHORS)
        .where("m.status", "!=", "failed")
        .where((e) => e("m.created_at", ">=", e.fn.coalesce(firstInbound, e.ref("k.opened_at"))))
        .whereRef("m.created_at", "<=", "k.closed_at")
        .orderBy("m.created_at")
        .orderBy("m.id")
        .limit(1)
        .as("first_reply_id"),
    ])
    .where("k.workspace_id", "=", workspaceId)
    .where("k.closed_at", ">=", range.from)
    .where("k.closed_at", "<", range.to);
  if (range.channelId) q = q.where("k.channel_id", "=", range.channelId);
  const rows = await q
    .orderBy("k.closed_at")
    .orderBy("k.id")
    .limit(range.limit ?? 100_000)
    .execute();

  const replyIds = rows.map((r) => r.first_reply_id).filter((id): id is string => Boolean(id));
  const replies = new Map<string, { at: number; type: string; id: string | null; name: string | null }>();
  for (let i = 0; i < replyIds.length; i += 500) {
    const chunk = await ctx.db
      .selectFrom("messages as m")
      .leftJoin("users as u", (j) => j.onRef("u.id", "=", "m.author_id").on("m.author_type", "=", "agent"))
      .select(["m.id", "m.created_at", "m.author_type", "m.author_id", "u.name"])
      .where("m.id", "in", replyIds.slice(i, i + 500))
      .execute();
    for (const m of chunk)
      replies.set(m.id, { at: Number(m.created_at), type: m.author_type, id: m.author_id, name: m.name });
  }

  return rows.map((r) => {
    const reply = r.first_reply_id ? replies.get(r.first_reply_id) : undefined;
    return {
      closingId: r.id,
      conversationId: r.conversation_id,
      channelId: r.channel_id,
      contactPhone: r.contact_phone,
      contactName: r.contact_name,
      category: r.category_key ? { key: r.category_key, name: r.category_name ?? r.category_key } : null,
      summary: r.summary,
      closedBy: { type: r.closed_by_type, id: r.closed_by_id },
      closedByName: r.closer_name,
      openedAt: Number(r.opened_at),
      closedAt: Number(r.closed_at),
      resolutionMs: Number(r.duration_ms),
      waitingSince: r.first_inbound_at == null ? Number(r.opened_at) : Number(r.first_inbound_at),
      firstReply: reply
        ? { at: reply.at, author: { type: reply.type, id: reply.id }, authorName: reply.name }
        : null,
    };
  });
}

export interface TimesRow {
  closes: number;
  medianResolutionMs: number | null;
  firstResponses: number;
  medianFirstResponseMs: number | null;
}

/**
 * Median resolution and first-response times grouped by category (of the close) and by person: an agent's
 * resolution times are the cycles they closed, their first-response times the cycles whose first reply they
 * sent. Workflows, bots, API keys and auto-close are grouped as their own "agents".
 */
export function responseTimes(cycles: ClosedCycle[]) {
  type Acc = { resolution: number[]; firstResponse: number[] };
  const summarize = (a: Acc): TimesRow => ({
    closes: a.resolution.length,
    medianResolutionMs: median(a.resolution),
    firstResponses: a.firstResponse.length,
    medianFirstResponseMs: median(a.firstResponse),
  });

  const byCategory = new Map<string, { category: ClosedCycle["category"]; acc: Acc }>();
  const byAgent = new Map<
    string,
    { actor: { type: string; id: string | null }; name: string | null; acc: Acc }
  >();
  const agent = (type: string, id: string | null, name: string | null) => {
    // Workflows, the API and auto-close are one row each, whatever id they carry.
    const key = type === "agent" ? `agent:${id ?? ""}` : type;
    let g = byAgent.get(key);
    if (!g) {
      g = {
        actor: { type, id: type === "agent" ? id : null },
        name,
        acc: { resolution: [], firstResponse: [] },
      };
      byAgent.set(key, g);
    }
    if (!g.name && name) g.name = name;
    return g.acc;
  };
  for (const c of cycles) {
    const key = c.category?.key ?? "";
    let g = byCategory.get(key);
    if (!g) {
      g = { category: c.category, acc: { resolution: [], firstResponse: [] } };
      byCategory.set(key, g);
    }
    g.acc.resolution.push(c.resolutionMs);
    agent(c.closedBy.type, c.closedBy.id, c.closedByName).resolution.push(c.resolutionMs);
    if (c.firstReply) {
      const ms = c.firstReply.at - c.waitingSince;
      g.acc.firstResponse.push(ms);
      agent(c.firstReply.author.type, c.firstReply.author.id, c.firstReply.authorName).firstResponse.push(ms);
    }
  }
  return {
    byCategory: [...byCategory.values()]
      .map((g) => ({ category: g.category, ...summarize(g.acc) }))
      .sort((a, b) => b.closes - a.closes),
    byAgent: [...byAgent.values()]
      .map((g) => ({ actor: g.actor, name: g.name, ...summarize(g.acc) }))
      .sort((a, b) => b.closes + b.firstResponses - (a.closes + a.firstResponses)),
  };
}
