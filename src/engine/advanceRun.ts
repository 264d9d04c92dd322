import { AppError } from "../core/errors.ts";
import { renderLiquid } from "../core/workflow/liquidRenderer.ts";
import { inTransaction } from "../store/inTransaction.ts";
import { workflowStore } from "../store/workflows/workflowStore.ts";
import { buildScope, parseRunContext } from "./buildScope.ts";
import type { EngineEnv } from "./EngineEnv.ts";
import { isTransientDbError } from "./isTransientDbError.ts";
import { performHttpRequest } from "./performHttpRequest.ts";
import { LostLease, type RoundInput, runRound, StepFailure } from "./runRound.ts";

/** Steps per transaction: enough to run open → send → close in one commit, small enough to keep locks short. */
export const STEPS_PER_TRANSACTION = 25;

/**
 * Drives one claimed run as far as it can go now: rounds of steps, each round one transaction, with http_request
 * calls made between rounds. A failing step fails the run (recorded on the run and its step log); the steps
 * before it in the same round are committed first, so the log shows exactly where it stopped.
 */
export async function advanceRun(env: EngineEnv, runId: string): Promise<void> {
  const ctx = env.store;
  let input: RoundInput = { limit: STEPS_PER_TRANSACTION };
  let transient = 0;
  // Rows written at the end of the round in bulk; a round whose end-of-transaction writes fail is run again
  // writing each row at once, so whatever broke surfaces as the failing step's error.
  let careful = false;
  for (let round = 0; round < 1000; round++) {
    try {
      const r = await inTransaction(ctx, (tx) => runRound(env, tx, runId, input), {
        deferWrites: careful ? true : "engine",
      });
      if (r.kind === "parked" || r.kind === "finished") return;
      if (r.kind === "need_http")
        input = { limit: STEPS_PER_TRANSACTION, http: { seq: r.seq, answer: await callHttp(env, runId) } };
      else input = { limit: STEPS_PER_TRANSACTION };
    } catch (err) {
      if (err instanceof LostLease) return;
      const cause = err instanceof StepFailure ? err.cause : err;
      if (isTransientDbError(cause)) {
        // Nothing of the round was committed; run it again shortly (the lease is still ours).
        if (++transient > 20) throw err;
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
        continue;
      }
      if (!(err instanceof StepFailure)) {
        if (careful) throw err;
        careful = true;
        continue;
      }
      if (err.index > 0) {
        input = { ...input, limit: err.index };
        continue;
      }
      await failRun(env, runId, err);
      return;
    }
  }
}

async function callHttp(env: EngineEnv, runId: string) {
  const ctx = env.store;
  const run = await ctx.db
    .selectFrom("workflow_runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  const def = await workflowStore.definitionAt(ctx.db, run.workflow_id, run.version);
  const step = def.steps.find((s) => s.id === run.current_step);
  if (step?.type !== "http_request")
    return { ok: false, status: 0, body: null, error: "not an http_request step" };
  const scope = await buildScope(ctx, ctx.db, run, def.name, parseRunContext(run.context));
  return performHttpRequest(step, (s) => renderLiquid(s, scope), env.allowPrivateHttp);
}

async function failRun(env: EngineEnv, runId: string, failure: StepFailure): Promise<void> {
  const ctx = env.store;
  const cause = failure.cause;
  const message =
    cause instanceof AppError ? cause.detail : cause instanceof Error ? cause.message : String(cause);
  const code = cause instanceof AppError ? cause.code : "internal";
  if (!(cause instanceof AppError))
    env.log.error({ err: cause, runId, stepId: failure.step.id }, "workflow step crashed");
  else env.log.info({ runId, stepId: failure.step.id, code, detail: message }, "workflow step failed");
  const now = ctx.now();
  await inTransaction(ctx, async (tx) => {
    const run = await tx
      .selectFrom("workflow_runs")
      .select(["lease_owner", "status"])
      .where("id", "=", runId)
      .executeTakeFirst();
    if (!run || run.lease_owner !== env.owner) return;
    await tx
      .insertInto("workflow_run_steps")
      .values({
        run_id: runId,
        seq: failure.seq,
        step_id: failure.step.id,
        step_type: failure.step.type,
        status: "failed",
        started_at: now,
        finished_at: now,
        detail: JSON.stringify({ error: message, code }),
      })
      .execute();
    await tx
      .updateTable("workflow_runs")
      .set({
        status: "failed",
        error: `${failure.step.id}: ${message}`,
        wake_at: null,
        finished_at: now,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
      })
      .where("id", "=", runId)
      .execute();
  });
}
