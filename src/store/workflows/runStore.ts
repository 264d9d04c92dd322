import { sql } from "kysely";
import { decodeCursor, encodeCursor } from "../../core/cursor.ts";
import { AppError } from "../../core/errors.ts";
import { inTransaction } from "../inTransaction.ts";
import type { StoreContext, Tx } from "../storeContext.ts";
import type { RunRow, RunStatus, RunStepRow } from "../workflowTables.ts";

export interface RunStepEntry {
  seq: number;
  id: string;
  type: string;
  status: RunStepRow["status"];
  startedAt: number;
  finishedAt: number | null;
  detail: Record<string, unknown>;
}

export interface Run {
  id: string;
  workflowId: string;
  version: number;
  status: RunStatus;
  contactId: string | null;
  conversationId: string | null;
  currentStep: string | null;
  stepCount: number;
  skipReason: string | null;
  error: string | null;
  wakeAt: number | null;
  batchId: string | null;
  parentRunId: string | null;
  context: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export const toRun = (r: RunRow): Run => ({
  id: r.id,
  workflowId: r.workflow_id,
  version: r.version,
  status: r.status,
  contactId: r.contact_id,
  conversationId: r.conversation_id,
  currentStep: r.current_step,
  stepCount: r.step_count,
  skipReason: r.skip_reason,
  error: r.error,
  wakeAt: r.wake_at,
  batchId: r.batch_id,
  parentRunId: r.parent_run_id,
  context: JSON.parse(r.context),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

const toStep = (r: RunStepRow): RunStepEntry => ({
  seq: r.seq,
  id: r.step_id,
  type: r.step_type,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  detail: JSON.parse(r.detail),
});

export interface BatchProgress {
  id: string;
  workflowId: string;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  cancelled: number;
  pending: number;
  createdAt: number;
}

/** Reads runs, their step logs and batches; cancels runs. The engine writes runs (src/engine). */
export const runStore = {
  async get(ctx: StoreContext, workspaceId: string, id: string): Promise<Run> {
    const row = await ctx.db
      .selectFrom("workflow_runs")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Workflow run", id);
    return toRun(row);
  },

  async steps(ctx: StoreContext, runId: string): Promise<RunStepEntry[]> {
    const rows = await ctx.db
      .selectFrom("workflow_run_steps")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("id")
      .execute();
    return rows.map(toStep);
  },

  /** Newest first, keyset-paginated. */
  async list(
    ctx: StoreContext,
    workspaceId: string,
    workflowId: string,
    page: { limit: number; cursor?: string; status?: RunStatus },
  ): Promise<{ data: Run[]; nextCursor: string | null }> {
    let q = ctx.db
      .selectFrom("workflow_runs")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("workflow_id", "=", workflowId);
    if (page.status) q = q.where("status", "=", page.status);
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ["number", "string"]);
      q = q.where((eb) =>
        eb.or([
          eb("created_at", "<", Number(at)),
          eb.and([eb("created_at", "=", Number(at)), eb("id", "<", String(id))]),
        ]),
      );
    }
    const rows = await q
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(page.limit + 1)
      .execute();
    const data = rows.slice(0, page.limit).map(toRun);
    const last = data.at(-1);
    return {
      data,
      nextCursor: rows.length > page.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
    };
  },

  /**
   * Runs per workflow and status started since `since`: one grouped query that the (workflow_id, created_at)
   * index answers by range, so the workflow list stays cheap however many old runs pile up.
   */
  async countsByWorkflow(
    ctx: StoreContext,
    workspaceId: string,
    workflowIds: string[],
    since: number,
  ): Promise<Map<string, Partial<Record<RunStatus, number>>>> {
    const out = new Map<string, Partial<Record<RunStatus, number>>>();
    if (workflowIds.length === 0) return out;
    const rows = await ctx.db
      .selectFrom("workflow_runs")
      .select(["workflow_id", "status", sql<number>`count(*)`.as("n")])
      .where("workspace_id", "=", workspaceId)
      .where("workflow_id", "in", workflowIds)
      .where("created_at", ">=", since)
      .groupBy(["workflow_id", "status"])
      .execute();
    for (const r of rows) {
      const counts = out.get(r.workflow_id) ?? {};
      counts[r.status] = Number(r.n);
      out.set(r.workflow_id, counts);
    }
    return out;
  },

  /** Runs' rows in the caller's transaction, locked (in id order) on PostgreSQL, for the engine to drive them. */
  async lockIn(ctx: StoreContext, tx: Tx, ids: string[]): Promise<RunRow[]> {
    const q = tx.selectFrom("workflow_runs").selectAll().where("id", "in", ids).orderBy("id");
    return (ctx.dialect === "postgres" ? q.forUpdate() : q).execute();
  },

  /**
   * Cancels a run that has not finished, and closes the step it is parked on; a worker holding it notices at its
   * next step.
   */
  async cancel(ctx: StoreContext, workspaceId: string, id: string): Promise<Run> {
    const run = await this.get(ctx, workspaceId, id);
    if (run.status !== "running" && run.status !== "waiting")
      throw new AppError("conflict", `Run ${id} is already ${run.status}`);
    const now = ctx.now();
    await inTransaction(ctx, async (tx) => {
      const cancelled = await tx
        .updateTable("workflow_runs")
        .set({ status: "cancelled", finished_at: now, updated_at: now, wake_at: null })
        .where("id", "=", id)
        .where("status", "in", ["running", "waiting"])
        .executeTakeFirst();
      if (Number(cancelled.numUpdatedRows) === 0) return;
      // Only the last entry can be the one it is parked on: an earlier wait's entry stays as it was logged when
      // it parked. A guardrail's `deferred` entry is finished when logged (the step runs again as a new entry),
      // but it is where the run waits all the same, so it too ends cancelled, at the cancel.
      const last = await tx
        .selectFrom("workflow_run_steps")
        .select(["id", "status", "finished_at"])
        .where("run_id", "=", id)
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      if ((last?.status === "waiting" && last.finished_at === null) || last?.status === "deferred")
        await tx
          .updateTable("workflow_run_steps")
          .set({ status: "cancelled", finished_at: now })
          .where("id", "=", last.id)
          .execute();
      await tx
        .updateTable("workflow_waitpoints")
        .set({ status: "cancelled", completed_at: now })
        .where("run_id", "=", id)
        .where("status", "=", "waiting")
        .execute();
    });
    return this.get(ctx, workspaceId, id);
  },

  async batch(ctx: StoreContext, workspaceId: string, id: string): Promise<BatchProgress> {
    const b = await ctx.db
      .selectFrom("workflow_batches")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!b) throw AppError.notFound("Workflow batch", id);
    const counts = await ctx.db
      .selectFrom("workflow_runs")
      .select(["status", sql<number>`count(*)`.as("n")])
      .where("batch_id", "=", id)
      .groupBy("status")
      .execute();
    const n = (s: RunStatus) => Number(counts.find((c) => c.status === s)?.n ?? 0);
    const finished = n("completed") + n("failed") + n("skipped") + n("cancelled");
    return {
      id: b.id,
      workflowId: b.workflow_id,
      total: b.total,
      done: n("completed"),
      failed: n("failed"),
      skipped: n("skipped"),
      cancelled: n("cancelled"),
      pending: Math.max(0, b.total - finished),
      createdAt: b.created_at,
    };
  },
};
