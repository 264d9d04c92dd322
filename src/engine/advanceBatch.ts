import { inTransaction } from "../store/inTransaction.ts";
import { runStore } from "../store/workflows/runStore.ts";
import { STEPS_PER_TRANSACTION } from "./advanceRun.ts";
import type { EngineEnv } from "./EngineEnv.ts";
import { LostLease, runRound } from "./runRound.ts";

/**
 * Drives several claimed runs in one transaction: one commit, one read of their rows, and one of the workspace,
 * its templates and categories (see configMemo) for the whole batch instead of one each per run, which is what a
 * commit-bound database spends most of its time on. Optimistic: if any run's round throws, nothing of the batch
 * is committed and the caller drives every run of it alone (advanceRun), which records failures step by step.
 * Returns the runs that still have work for advanceRun (a failed batch, a run that wants its http_request made,
 * or one that hit the steps-per-transaction limit).
 */
export async function advanceBatch(env: EngineEnv, runIds: string[]): Promise<string[]> {
  const more: string[] = [];
  try {
    await inTransaction(
      env.store,
      async (tx) => {
        // The batch's rows in one statement, not one per run.
        const rows = new Map((await runStore.lockIn(env.store, tx, runIds)).map((r) => [r.id, r]));
        for (const id of runIds) {
          try {
            const row = rows.get(id) ?? null;
            const r = await runRound(env, tx, id, { limit: STEPS_PER_TRANSACTION, row });
            if (r.kind === "more" || r.kind === "need_http") more.push(id);
          } catch (err) {
            // Another process owns this run now; leaving it out of the batch loses nothing of the others.
            if (err instanceof LostLease) continue;
            throw err;
          }
        }
      },
      { deferWrites: "engine" },
    );
    return more;
  } catch (err) {
    env.log.debug({ err, runs: runIds.length }, "workflow batch rolled back; driving its runs one by one");
    return runIds;
  }
}
