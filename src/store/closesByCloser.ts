import { median } from "../core/median.ts";
import type { StoreContext } from "./storeContext.ts";

export interface CloserRow {
  closedBy: { type: string; id: string | null };
  /** The agent's name when a person closed it; null for workflows, API keys and auto-close. */
  name: string | null;
  count: number;
  medianDurationMs: number;
}

/** Closes in a time range grouped by who closed them (each agent, each workflow, the API), busiest first. */
export async function closesByCloser(
  ctx: StoreContext,
  workspaceId: string,
  range: { from: number; to: number; channelId?: string },
): Promise<CloserRow[]> {
  let q = ctx.db
    .selectFrom("conversation_closings as c")
    .leftJoin("users as u", (j) =>
      j.onRef("u.id", "=", "c.closed_by_id").on("c.closed_by_type", "=", "agent"),
    )
    .select(["c.closed_by_type", "c.closed_by_id", "c.duration_ms", "u.name"])
    .where("c.workspace_id", "=", workspaceId)
    .where("c.closed_at", ">=", range.from)
    .where("c.closed_at", "<", range.to);
  if (range.channelId) q = q.where("c.channel_id", "=", range.channelId);
  const groups = new Map<
    string,
    { row: Omit<CloserRow, "count" | "medianDurationMs">; durations: number[] }
  >();
  for (const r of await q.execute()) {
    const key = `${r.closed_by_type}:${r.closed_by_id ?? ""}`;
    const g = groups.get(key) ?? {
      row: { closedBy: { type: r.closed_by_type, id: r.closed_by_id }, name: r.name },
      durations: [],
    };
    g.durations.push(Number(r.duration_ms));
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({
      ...g.row,
      count: g.durations.length,
      // A group exists only once it has a close, so the median is never null here.
      medianDurationMs: median(g.durations)!,
    }))
    .sort((a, b) => b.count - a.count);
}
