import { sql } from "kysely";
import type { StoreContext } from "./storeContext.ts";

const DAY = 86_400_000;

export interface ActivityDay {
  /** Start of the UTC day, epoch ms. */
  day: number;
  opened: number;
  closed: number;
}

/**
 * Conversations opened (new or reopened) and closed per UTC day. Opens come from the event outbox (each
 * open/reopen is one event), closes from the closing records; both are grouped in SQL so a busy workspace
 * doesn't ship every row to Node. Days without activity are filled with zeros.
 */
export async function activityReport(
  ctx: StoreContext,
  workspaceId: string,
  range: { from: number; to: number; channelId?: string },
): Promise<ActivityDay[]> {
  // A literal, not a parameter: PostgreSQL must see the select and the GROUP BY as the same expression.
  const dayOf = (col: string) => sql<number>`(${sql.ref(col)} / ${sql.lit(DAY)})`;
  let opens = ctx.db
    .selectFrom("events as e")
    .innerJoin("conversations as c", "c.id", "e.conversation_id")
    .select([dayOf("e.created_at").as("d"), (eb) => eb.fn.countAll<number>().as("n")])
    .where("e.workspace_id", "=", workspaceId)
    .where("e.type", "in", ["conversation.opened", "conversation.reopened"])
    .where("e.created_at", ">=", range.from)
    .where("e.created_at", "<", range.to)
    .groupBy(dayOf("e.created_at"));
  if (range.channelId) opens = opens.where("c.channel_id", "=", range.channelId);
  let closes = ctx.db
    .selectFrom("conversation_closings as k")
    .select([dayOf("k.closed_at").as("d"), (eb) => eb.fn.countAll<number>().as("n")])
    .where("k.workspace_id", "=", workspaceId)
    .where("k.closed_at", ">=", range.from)
    .where("k.closed_at", "<", range.to)
    .groupBy(dayOf("k.closed_at"));
  if (range.channelId) closes = closes.where("k.channel_id", "=", range.channelId);

  const byDay = new Map<number, ActivityDay>();
  const first = Math.floor(range.from / DAY);
  const last = Math.floor((range.to - 1) / DAY);
  for (let d = first; d <= last && byDay.size < 400; d++)
    byDay.set(d, { day: d * DAY, opened: 0, closed: 0 });
  for (const r of await opens.execute()) {
    const row = byDay.get(Math.floor(Number(r.d)));
    if (row) row.opened += Number(r.n);
  }
  for (const r of await closes.execute()) {
    const row = byDay.get(Math.floor(Number(r.d)));
    if (row) row.closed += Number(r.n);
  }
  return [...byDay.values()];
}
