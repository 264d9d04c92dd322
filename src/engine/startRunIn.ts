import { sql } from "kysely";
import { newId } from "../core/newId.ts";
import { deferredWrites } from "../store/deferredWrites.ts";
import { insertRow } from "../store/insertRow.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import type { Workflow } from "../store/workflows/workflowStore.ts";
import type { RunStatus } from "../store/workflowTables.ts";

export interface StartRunInput {
  workflow: Pick<Workflow, "id" | "workspaceId" | "version" | "definition">;
  contactId: string | null;
  conversationId?: string | null;
  trigger: Record<string, unknown>;
  /** Same key (per workflow) = same run: the second trigger returns the first run. */
  dedupeKey?: string | null;
  batchId?: string | null;
  parentRunId?: string | null;
  /** Runs started by trigger_workflow: how deep in a chain of such starts this one is (1 for the first). */
  depth?: number;
  /** The run's id when the caller has already claimed its dedupe key for it (claimDedupeKey). */
  runId?: string;
}

export interface StartedRun {
  runId: string;
  created: boolean;
  status: RunStatus;
}

/** Claims a dedupe key for a run; returns the run that holds it when someone else did first. */
async function claimKey(
  ctx: StoreContext,
  tx: Tx,
  workflowId: string,
  key: string,
  runId: string,
  now: number,
): Promise<string | null> {
  const row = { workflow_id: workflowId, key, run_id: runId, created_at: now };
  if (await insertRow(ctx, tx, "workflow_dedupe", row, { ignoreConflicts: true })) return null;
  const holder = await tx
    .selectFrom("workflow_dedupe")
    .select("run_id")
    .where("workflow_id", "=", workflowId)
    .where("key", "=", key)
    .executeTakeFirstOrThrow();
  return holder.run_id;
}

/**
 * Claims a dedupe key (per workflow) for the run `runId` is to start; returns the run that already holds it, if
 * one does. A caller that claims first (before writing anything else for the trigger) passes `runId` on to
 * startRunIn without the key.
 */
export async function claimDedupeKey(
  ctx: StoreContext,
  tx: Tx,
  workflowId: string,
  dedupeKey: string,
  runId: string,
): Promise<StartedRun | null> {
  const existing = await claimKey(ctx, tx, workflowId, `key:${dedupeKey}`, runId, ctx.now());
  if (!existing) return null;
  // The holder may be a run this same transaction started and holds for its end.
  const held = deferredWrites.pendingRows(tx, "workflow_runs").find((r) => r.id === existing);
  if (held) return { runId: existing, created: false, status: held.status };
  const row = await tx
    .selectFrom("workflow_runs")
    .select("status")
    .where("id", "=", existing)
    .executeTakeFirst();
  return { runId: existing, created: false, status: row?.status ?? "running" };
}

/**
 * Starts a run inside the caller's transaction, on the workflow's current version. A repeated dedupe key gives
 * back the existing run; a second run for a contact of a once-per-contact workflow is recorded as skipped.
 */
export async function startRunIn(ctx: StoreContext, tx: Tx, input: StartRunInput): Promise<StartedRun> {
  const now = ctx.now();
  const runId = input.runId ?? newId();
  const wf = input.workflow;
  if (input.dedupeKey) {
    const existing = await claimDedupeKey(ctx, tx, wf.id, input.dedupeKey, runId);
    if (existing) return existing;
  }
  let skipReason: string | null = null;
  if (wf.definition.once_per_contact && input.contactId) {
    if (await claimKey(ctx, tx, wf.id, `contact:${input.contactId}`, runId, now))
      skipReason = "once_per_contact";
  }
  const status: RunStatus = skipReason ? "skipped" : "running";
  const row = {
    id: runId,
    workspace_id: wf.workspaceId,
    workflow_id: wf.id,
    version: wf.version,
    status,
    contact_id: input.contactId,
    conversation_id: input.conversationId ?? null,
    current_step: skipReason ? null : (wf.definition.steps[0]?.id ?? null),
    step_count: 0,
    context: JSON.stringify({
      trigger: input.trigger,
      vars: {},
      steps: {},
      ...(input.depth ? { depth: input.depth } : {}),
    }),
    skip_reason: skipReason,
    error: null,
    wake_at: skipReason ? null : now,
    lease_owner: null,
    lease_until: null,
    waitpoint_id: null,
    batch_id: input.batchId ?? null,
    parent_run_id: input.parentRunId ?? null,
    created_at: now,
    updated_at: now,
    finished_at: skipReason ? now : null,
  };
  await deferredWrites.write(ctx, tx, "workflow_runs", [row]);
  if (!skipReason && ctx.dialect === "postgres" && !deferredWrites.notify(tx, "parley_runs", ""))
    await sql`select pg_notify('parley_runs', '')`.execute(tx);
  return { runId, created: true, status };
}
