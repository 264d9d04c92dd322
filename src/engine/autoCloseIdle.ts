import { AppError } from "../core/errors.ts";
import { closeIn } from "../store/conversations/closeConversation.ts";
import { inTransaction } from "../store/inTransaction.ts";
import type { StoreContext } from "../store/storeContext.ts";
import { toWorkspace } from "../store/workspaceStore.ts";
import type { EngineEnv } from "./EngineEnv.ts";

const BATCH = 200;

/**
 * Auto-close: in workspaces that turned it on, closes open conversations with no message for `after_hours`, with
 * the configured category and summary, as Parley itself (`closed_by: system`). Returns how many it closed.
 */
export async function autoCloseIdle(env: EngineEnv): Promise<number> {
  const ctx: StoreContext = env.store;
  let closed = 0;
  for (const row of await ctx.db.selectFrom("workspaces").selectAll().execute()) {
    const ws = toWorkspace(row);
    const rule = ws.settings.auto_close;
    if (!rule) continue;
    const cutoff = ctx.now() - rule.after_hours * 3_600_000;
    const idle = await ctx.db
      .selectFrom("conversations")
      .select(["id", "last_message_at", "opened_at"])
      .where("workspace_id", "=", ws.id)
      .where("status", "=", "open")
      .where("last_activity_at", "<", cutoff)
      .limit(BATCH)
      .execute();
    for (const c of idle) {
      if ((c.last_message_at ?? c.opened_at) >= cutoff) continue;
      try {
        await inTransaction(ctx, (tx) =>
          closeIn(ctx, tx, ws.id, c.id, {
            category: rule.category ?? null,
            summary: rule.summary ?? `Closed automatically after ${rule.after_hours} h without messages`,
            by: { type: "system", id: null },
          }),
        );
        closed++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // A policy or category problem is the workspace's to fix; say so once per conversation and go on.
        env.log.warn({ conversationId: c.id, detail: err.detail }, "auto-close skipped");
      }
    }
  }
  return closed;
}
