import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import { renderLiquid } from "../core/workflow/liquidRenderer.ts";
import type { Step } from "../core/workflow/workflowDefinitionSchema.ts";
import { WORKFLOW_LIMITS } from "../core/workflow/workflowLimits.ts";
import type { ContactRow } from "../store/databaseSchema.ts";
import { deferredWrites } from "../store/deferredWrites.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import { runStore } from "../store/workflows/runStore.ts";
import { workflowStore } from "../store/workflows/workflowStore.ts";
import type { RunRow, WorkflowRunStepsTable } from "../store/workflowTables.ts";
import { applyEffects, type EffectTarget, type RoundState, settleTouch } from "./applyEffects.ts";
import { buildScope, parseRunContext, type RunContext, scopeNeeds } from "./buildScope.ts";
import type { EngineEnv } from "./EngineEnv.ts";
import { executeStep } from "./steps/executeStep.ts";
import type { Answer, Resume, StepContext } from "./stepTypes.ts";

export class LostLease extends Error {}

/** A step threw; `index` is how many steps this round had already completed (they are rolled back with it). */
export class StepFailure extends Error {
  constructor(
    readonly index: number,
    readonly step: Step,
    readonly seq: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export type RoundResult =
  | { kind: "parked" | "finished" }
  | { kind: "more" }
  | { kind: "need_http"; seq: number };

export interface RoundInput {
  http?: { seq: number; answer: NonNullable<StepContext["http"]> };
  /** Steps to execute in this transaction at most. */
  limit: number;
  /** The run's row, already read (locked on PostgreSQL) in this transaction; null when it was not found. */
  row?: RunRow | null;
}

async function logStep(
  ctx: StoreContext,
  tx: Tx,
  run: RunRow,
  step: Step,
  seq: number,
  status: WorkflowRunStepsTable["status"],
  startedAt: number,
  finishedAt: number | null,
  detail: Record<string, unknown>,
) {
  const row = {
    run_id: run.id,
    seq,
    step_id: step.id,
    step_type: step.type,
    status,
    started_at: startedAt,
    finished_at: finishedAt,
    detail: JSON.stringify(detail),
  };
  await deferredWrites.write(ctx, tx, "workflow_run_steps", [row]);
}

async function saveRun(env: EngineEnv, tx: Tx, run: RunRow, rc: RunContext, release: boolean) {
  const now = env.store.now();
  const position = {
    status: run.status,
    current_step: run.current_step,
    step_count: run.step_count,
    context: JSON.stringify(rc),
    conversation_id: run.conversation_id,
    wake_at: run.wake_at,
    waitpoint_id: run.waitpoint_id,
    skip_reason: run.skip_reason,
    error: run.error,
    finished_at: run.finished_at,
    lease_owner: release ? null : env.owner,
    lease_until: release ? null : now + env.leaseMs,
    updated_at: now,
  };
  if (deferredWrites.saveRun(tx, { id: run.id, ...position })) return;
  await tx.updateTable("workflow_runs").set(position).where("id", "=", run.id).execute();
}

/**
 * One transaction of a run's life: resumes it from its waitpoint if it had one, then executes steps (each
 * executor computes, `applyEffects` changes the world) until the run parks, ends, reaches an http_request (whose
 * call must happen outside a transaction) or has done `limit` steps. Everything a step does commits together with
 * the run's new position, so after a crash a step has either fully happened or not at all.
 */
export async function runRound(
  env: EngineEnv,
  tx: Tx,
  runId: string,
  input: RoundInput,
): Promise<RoundResult> {
  const round: RoundState = {};
  const result = await roundSteps(env, tx, runId, input, round);
  // A send's last-message time that no close of this round wrote with its own update.
  await settleTouch(tx, round);
  return result;
}

async function roundSteps(
  env: EngineEnv,
  tx: Tx,
  runId: string,
  input: RoundInput,
  round: RoundState,
): Promise<RoundResult> {
  const ctx = env.store;
  const run = input.row !== undefined ? input.row : (await runStore.lockIn(ctx, tx, [runId]))[0];
  if (!run || run.lease_owner !== env.owner) throw new LostLease(runId);
  const rc = parseRunContext(run.context);
  if (run.status !== "running" && run.status !== "waiting") {
    await saveRun(env, tx, run, rc, true);
    return { kind: "finished" };
  }
  const def = await workflowStore.definitionAt(tx, run.workflow_id, run.version);
  const now = ctx.now();

  let resume: Resume | null = null;
  if (run.waitpoint_id) {
    const wp = await tx
      .selectFrom("workflow_waitpoints")
      .selectAll()
      .where("id", "=", run.waitpoint_id)
      .executeTakeFirst();
    if (wp?.status === "completed") {
      resume =
        wp.kind === "reply"
          ? { kind: "reply", answer: JSON.parse(wp.output ?? "{}") as Answer }
          : { kind: "time" };
    } else if (wp?.status === "waiting" && wp.timeout_at !== null && wp.timeout_at <= now) {
      await tx
        .updateTable("workflow_waitpoints")
        .set({ status: "timed_out", completed_at: now })
        .where("id", "=", wp.id)
        .execute();
      resume = wp.kind === "reply" ? { kind: "timeout" } : { kind: "time" };
    } else if (wp?.status === "waiting") {
      // Woken early (a stale wake-up): go back to sleep until the waitpoint is due.
      run.wake_at = wp.timeout_at;
      await saveRun(env, tx, run, rc, true);
      return { kind: "parked" };
    }
  }
  // The wait's entry in the step log ends here (a reply, its timeout or its time); the step's outcome is logged
  // as a new entry when it runs on below.
  if (resume)
    await tx
      .updateTable("workflow_run_steps")
      .set({ finished_at: now })
      .where("run_id", "=", run.id)
      .where("seq", "=", run.step_count - 1)
      .where("status", "=", "waiting")
      .execute();
  run.status = "running";

  for (let executed = 0; ; executed++) {
    if (executed >= input.limit) {
      run.wake_at = now;
      await saveRun(env, tx, run, rc, false);
      return { kind: "more" };
    }
    const stepId = run.current_step;
    const idx = stepId === null ? -1 : def.steps.findIndex((s) => s.id === stepId);
    const step = def.steps[idx];
    if (!step) {
      run.status = "completed";
      run.current_step = null;
      run.wake_at = null;
      run.finished_at = ctx.now();
      await saveRun(env, tx, run, rc, true);
      return { kind: "finished" };
    }
    const seq = run.step_count;
    if (step.type === "http_request" && input.http?.seq !== seq) {
      await saveRun(env, tx, run, rc, false);
      return { kind: "need_http", seq };
    }
    const startedAt = ctx.now();
    let result: Awaited<ReturnType<typeof executeStep>>;
    let outcome: Awaited<ReturnType<typeof applyEffects>>;
    try {
      if (seq >= WORKFLOW_LIMITS.executedSteps)
        throw new AppError(
          "validation",
          `the run reached the limit of ${WORKFLOW_LIMITS.executedSteps} executed steps`,
        );
      // The open step's effects need the contact locked: one read serves them and the step's templates.
      const rows: { contact?: ContactRow } = {};
      const needs = { ...scopeNeeds(step), lockContact: step.type === "open_conversation" };
      if (needs.conversation) await settleTouch(tx, round);
      const scope = await buildScope(ctx, tx, run, def.name, rc, needs, rows);
      result = await executeStep(step, {
        runId: run.id,
        workflowId: run.workflow_id,
        scope,
        now: startedAt,
        resume,
        render: (s) => renderLiquid(s, scope),
        http: input.http?.answer,
        warn: (detail, message) =>
          env.log.warn(
            { runId: run.id, workflowId: run.workflow_id, version: run.version, ...detail },
            message,
          ),
      });
      if (result.kind === "fail") throw new AppError("validation", result.error);
      const target: EffectTarget = {
        run,
        definition: def,
        seq,
        depth: rc.depth ?? 0,
        // Only a locked read may stand in for the open's own (on PostgreSQL).
        contact: needs.lockContact ? rows.contact : undefined,
        round,
      };
      outcome = await applyEffects(ctx, tx, target, result.effects ?? []);
    } catch (err) {
      throw new StepFailure(executed, step, seq, err);
    }
    resume = null;
    run.waitpoint_id = null;

    if (outcome.kind === "skip") {
      await logStep(ctx, tx, run, step, seq, "skipped", startedAt, ctx.now(), { reason: outcome.reason });
      run.status = "skipped";
      run.skip_reason = outcome.reason;
      run.wake_at = null;
      run.finished_at = ctx.now();
      await saveRun(env, tx, run, rc, true);
      return { kind: "finished" };
    }
    if (outcome.kind === "defer") {
      await logStep(ctx, tx, run, step, seq, "deferred", startedAt, ctx.now(), {
        reason: outcome.reason,
        until: new Date(outcome.until).toISOString(),
      });
      run.status = "waiting";
      run.wake_at = outcome.until;
      await saveRun(env, tx, run, rc, true);
      return { kind: "parked" };
    }
    run.step_count = seq + 1;
    const detail = { ...result.log, ...outcome.log };
    if (typeof outcome.log.message_id === "string") rc.last_message_id = outcome.log.message_id;
    if (result.kind === "park") {
      const wpId = newId();
      await tx
        .insertInto("workflow_waitpoints")
        .values({
          id: wpId,
          run_id: run.id,
          workspace_id: run.workspace_id,
          kind: result.waitFor,
          conversation_id: result.waitFor === "reply" ? run.conversation_id : null,
          message_id: result.waitFor === "reply" ? (rc.last_message_id ?? null) : null,
          status: "waiting",
          timeout_at: result.until,
          output: null,
          created_at: startedAt,
          completed_at: null,
        })
        .execute();
      await logStep(ctx, tx, run, step, seq, "waiting", startedAt, null, {
        ...detail,
        waitpoint_id: wpId,
        ...(result.until !== null ? { until: new Date(result.until).toISOString() } : {}),
      });
      run.status = "waiting";
      run.wake_at = result.until;
      run.waitpoint_id = wpId;
      await saveRun(env, tx, run, rc, true);
      return { kind: "parked" };
    }
    if (result.output !== undefined) rc.steps[step.id] = result.output;
    if (result.save) rc.vars[result.save.name] = result.save.value;
    await logStep(ctx, tx, run, step, seq, "completed", startedAt, ctx.now(), detail);
    run.current_step =
      result.next !== undefined ? result.next : (step.next ?? def.steps[idx + 1]?.id ?? null);
  }
}
