import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { AppError } from "../../core/errors.ts";
import { workflowDefinitionSchema } from "../../core/workflow/workflowDefinitionSchema.ts";
import { saveWorkflow } from "../../engine/saveWorkflow.ts";
import { manualRunInputSchema, startBatch } from "../../engine/startBatch.ts";
import { triggerWebhook } from "../../engine/triggerWebhook.ts";
import { runStore } from "../../store/workflows/runStore.ts";
import { type Workflow, workflowStore } from "../../store/workflows/workflowStore.ts";
import { pageQuery } from "../pageQuery.ts";
import { publicBaseUrl } from "../publicBaseUrl.ts";
import {
  batchResource,
  runResource,
  toBatchResource,
  toRunCounts,
  toRunResource,
  toWorkflowResource,
  workflowListItemResource,
  workflowResource,
} from "../resources/workflowResource.ts";

const idParams = z.object({ id: z.string().max(200) });
const runStatus = z.enum(["running", "waiting", "completed", "failed", "cancelled", "skipped"]);

/** Workflows (versioned definitions), their triggers, runs and batches. */
export function workflowRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Workflows"];
  const ctx = deps.store;
  const resource = (req: FastifyRequest, w: Workflow) =>
    toWorkflowResource(w, publicBaseUrl(req, deps.config.PUBLIC_URL));
  const find = async (ws: string, ref: string) => {
    const wf = await workflowStore.find(ctx, ws, ref);
    if (!wf) throw AppError.notFound("Workflow", ref);
    return wf;
  };

  r.post(
    "/workflows",
    { schema: { tags, body: workflowDefinitionSchema, response: { 201: workflowResource } } },
    async (req, reply) =>
      reply.code(201).send(resource(req, await saveWorkflow(ctx, req.auth.workspaceId, req.body))),
  );

  r.get(
    "/workflows",
    { schema: { tags, response: { 200: z.object({ data: z.array(workflowListItemResource) }) } } },
    async (req) => {
      const list = await workflowStore.list(ctx, req.auth.workspaceId);
      const counts = await runStore.countsByWorkflow(
        ctx,
        req.auth.workspaceId,
        list.map((w) => w.id),
        ctx.now() - 24 * 3600_000,
      );
      return {
        data: list.map((w) => ({ ...resource(req, w), run_counts: toRunCounts(counts.get(w.id)) })),
      };
    },
  );

  r.get(
    "/workflows/:id",
    { schema: { tags, params: idParams, response: { 200: workflowResource } } },
    async (req) => resource(req, await find(req.auth.workspaceId, req.params.id)),
  );

  r.put(
    "/workflows/:id",
    {
      schema: { tags, params: idParams, body: workflowDefinitionSchema, response: { 200: workflowResource } },
    },
    async (req) => {
      const wf = await find(req.auth.workspaceId, req.params.id);
      return resource(req, await saveWorkflow(ctx, req.auth.workspaceId, req.body, wf.id));
    },
  );

  for (const action of ["enable", "disable"] as const) {
    r.post(
      `/workflows/:id/${action}`,
      { schema: { tags, params: idParams, response: { 200: workflowResource } } },
      async (req) => {
        const wf = await find(req.auth.workspaceId, req.params.id);
        return resource(
          req,
          await workflowStore.setEnabled(ctx, req.auth.workspaceId, wf.id, action === "enable"),
        );
      },
    );
  }

  r.post(
    "/workflows/:id/trigger",
    {
      schema: {
        tags,
        description: "Triggers a webhook workflow with a JSON payload (available to templates as `trigger`).",
        params: idParams,
        body: z.record(z.string(), z.unknown()),
        response: { 202: z.object({ run_id: z.string(), created: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const wf = await find(req.auth.workspaceId, req.params.id);
      const started = await triggerWebhook(ctx, wf, req.body);
      return reply.code(202).send({ run_id: started.runId, created: started.created });
    },
  );

  r.post(
    "/workflows/:id/runs",
    {
      schema: {
        tags,
        description: "Starts a manual batch: one run per listed contact or audience member.",
        params: idParams,
        body: manualRunInputSchema,
        response: { 202: z.object({ batch_id: z.string(), total: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const wf = await find(req.auth.workspaceId, req.params.id);
      const b = await startBatch(ctx, wf, req.body);
      return reply.code(202).send({ batch_id: b.batchId, total: b.total });
    },
  );

  r.get(
    "/workflows/:id/runs",
    {
      schema: {
        tags,
        params: idParams,
        querystring: z.strictObject({ ...pageQuery, status: runStatus.optional() }),
        response: { 200: z.object({ data: z.array(runResource), next_cursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const wf = await find(req.auth.workspaceId, req.params.id);
      const page = await runStore.list(ctx, req.auth.workspaceId, wf.id, req.query);
      return { data: page.data.map((x) => toRunResource(x)), next_cursor: page.nextCursor };
    },
  );

  r.get(
    "/workflow-runs/:id",
    { schema: { tags, params: idParams, response: { 200: runResource } } },
    async (req) => {
      const run = await runStore.get(ctx, req.auth.workspaceId, req.params.id);
      return toRunResource(run, await runStore.steps(ctx, run.id));
    },
  );

  r.post(
    "/workflow-runs/:id/cancel",
    { schema: { tags, params: idParams, response: { 200: runResource } } },
    async (req) => toRunResource(await runStore.cancel(ctx, req.auth.workspaceId, req.params.id)),
  );

  r.get(
    "/workflow-batches/:id",
    { schema: { tags, params: idParams, response: { 200: batchResource } } },
    async (req) => toBatchResource(await runStore.batch(ctx, req.auth.workspaceId, req.params.id)),
  );
}
