import { type DeferScope, deferredWrites } from "./deferredWrites.ts";
import type { StoreContext, Tx } from "./storeContext.ts";

/**
 * Runs `fn` in one transaction and, once it has committed, tells in-process listeners that new events exist.
 * With `deferWrites`, events and step logs (`"engine"`: also a workflow batch's other write-only rows) are
 * written at the end in bulk (see deferredWrites).
 * @example await inTransaction(ctx, (tx) => tx.updateTable("contacts")…);
 */
export async function inTransaction<T>(
  ctx: StoreContext,
  fn: (tx: Tx) => Promise<T>,
  options: { deferWrites?: boolean | DeferScope } = {},
): Promise<T> {
  const result = await ctx.db.transaction().execute(async (tx) => {
    if (!options.deferWrites) return fn(tx);
    deferredWrites.enable(tx, options.deferWrites === true ? "outbox" : options.deferWrites);
    const out = await fn(tx);
    await deferredWrites.flush(ctx, tx);
    return out;
  });
  ctx.bus.emit("committed");
  return result;
}
