import type { StoreContext, Tx } from "./storeContext.ts";

/**
 * Runs `fn` in one transaction and, once it has committed, tells in-process listeners that new events exist.
 * @example await inTransaction(ctx, (tx) => tx.updateTable("contacts")…);
 */
export async function inTransaction<T>(ctx: StoreContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction().execute(fn);
  ctx.bus.emit("committed");
  return result;
}
