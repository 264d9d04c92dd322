import { z } from "zod";
import { hookSecret } from "../../core/workflow/hookSecret.ts";
import { workflowDefinitionSchema } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { BatchProgress, Run, RunStepEntry } from "../../store/workflows/runStore.ts";
import type { Workflow } from "../../store/workflows/workflowStore.ts";
import { iso } from "./iso.ts";

const runStatus = z.enum(["running", "waiting", "completed", "failed", "cancelled", "skipped"]);

export const workflowResource = z
  .object({
    id: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    version: z.number().int(),
    trigger_type: z.string(),
    hook_url: z
      .string()
      .nullable()
      .describe(
        "Public URL for webhook triggers (POST, optional HMAC), on `PUBLIC_URL` when set, else on the origin the request came to",
      ),
    definition: workflowDefinitionSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Workflow" });

export const runCountsResource = z
  .object(
    Object.fromEntries(runStatus.options.map((s) => [s, z.number().int()])) as Record<
      z.infer<typeof runStatus>,
      z.ZodNumber
    >,
  )
  .describe("Runs started in the last 24 hours, by their current status");

/** A list entry: the workflow plus its recent run counts, so the list page needs no request per workflow. */
export const workflowListItemResource = workflowResource
  .extend({ run_counts: runCountsResource })
  .meta({ id: "WorkflowListItem" });

export const toRunCounts = (c: Partial<Record<z.infer<typeof runStatus>, number>> = {}) =>
  Object.fromEntries(runStatus.options.map((s) => [s, c[s] ?? 0])) as z.infer<typeof runCountsResource>;

/** `baseUrl`: the origin the hook URL is given on (see publicBaseUrl). */
export const toWorkflowResource = (w: Workflow, baseUrl: string): z.infer<typeof workflowResource> => ({
  id: w.id,
  name: w.name,
  enabled: w.enabled,
  version: w.version,
  trigger_type: w.triggerType,
  hook_url: w.triggerType === "webhook" ? `${baseUrl}/hooks/${w.hookToken}` : null,
  // A definition's own `enabled` shows the switch's current state, so an editor that saves the definition back
  // doesn't undo an enable/disable made since.
  definition: hookSecret.redact(
    w.definition.enabled === undefined ? w.definition : { ...w.definition, enabled: w.enabled },
  ),
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
});

export const runStepResource = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  status: z.enum(["completed", "failed", "waiting", "deferred", "skipped", "cancelled"]),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  error: z.string().nullable(),
  skip_reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export const runResource = z
  .object({
    id: z.string(),
    workflow_id: z.string(),
    version: z.number().int().describe("The workflow version this run executes"),
    status: runStatus,
    contact_id: z.string().nullable(),
    conversation_id: z.string().nullable(),
    current_step: z.string().nullable(),
    skip_reason: z.string().nullable(),
    error: z.string().nullable(),
    wake_at: z.string().nullable(),
    batch_id: z.string().nullable(),
    parent_run_id: z.string().nullable(),
    variables: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
    steps: z.array(runStepResource).optional(),
  })
  .meta({ id: "WorkflowRun" });

const str = (v: unknown) => (typeof v === "string" ? v : null);

export const toRunResource = (r: Run, steps?: RunStepEntry[]): z.infer<typeof runResource> => ({
  id: r.id,
  workflow_id: r.workflowId,
  version: r.version,
  status: r.status,
  contact_id: r.contactId,
  conversation_id: r.conversationId,
  current_step: r.currentStep,
  skip_reason: r.skipReason,
  error: r.error,
  wake_at: r.status === "waiting" ? iso(r.wakeAt) : null,
  batch_id: r.batchId,
  parent_run_id: r.parentRunId,
  variables: (r.context.vars ?? {}) as Record<string, unknown>,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
  finished_at: iso(r.finishedAt),
  ...(steps
    ? {
        steps: steps.map((s) => ({
          seq: s.seq,
          id: s.id,
          type: s.type,
          status: s.status,
          started_at: iso(s.startedAt),
          finished_at: iso(s.finishedAt),
          error: str(s.detail.error),
          skip_reason: s.status === "skipped" || s.status === "deferred" ? str(s.detail.reason) : null,
          detail: s.detail,
        })),
      }
    : {}),
});

export const batchResource = z
  .object({
    id: z.string(),
    workflow_id: z.string(),
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    cancelled: z.number().int(),
    pending: z.number().int(),
    created_at: z.string(),
  })
  .meta({ id: "WorkflowBatch" });

export const toBatchResource = (b: BatchProgress): z.infer<typeof batchResource> => ({
  id: b.id,
  workflow_id: b.workflowId,
  total: b.total,
  done: b.done,
  failed: b.failed,
  skipped: b.skipped,
  cancelled: b.cancelled,
  pending: b.pending,
  created_at: iso(b.createdAt),
});
