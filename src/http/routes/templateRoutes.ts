import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { syncTemplates } from "../../channels/whatsapp/syncTemplates.ts";
import { channelStore } from "../../store/channelStore.ts";
import { type Template, templateStore } from "../../store/templateStore.ts";
import { iso } from "../resources/iso.ts";

export const templateResource = z
  .object({
    id: z.string(),
    channel_id: z.string(),
    meta_id: z.string().nullable(),
    name: z.string(),
    language: z.string(),
    category: z.enum(["MARKETING", "UTILITY", "AUTHENTICATION"]),
    status: z.string(),
    parameter_format: z.enum(["positional", "named"]),
    body_param_count: z.number(),
    param_names: z.array(z.string()),
    components: z.array(z.unknown()),
    source: z.enum(["sync", "manual", "webhook"]),
    updated_at: z.string(),
  })
  .meta({ id: "Template" });

const toTemplateResource = (t: Template) => ({
  id: t.id,
  channel_id: t.channelId,
  meta_id: t.metaId,
  name: t.name,
  language: t.language,
  category: t.category,
  status: t.status,
  parameter_format: t.parameterFormat,
  body_param_count: t.bodyParamCount,
  param_names: t.paramNames,
  components: t.components,
  source: t.source,
  updated_at: iso(t.updatedAt),
});

const templateInput = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, "must be lowercase letters, digits and underscores, as Meta requires"),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "must be a language code such as en or en_US"),
  category: z.enum(["MARKETING", "UTILITY", "AUTHENTICATION"]),
  status: z.enum(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"]).default("APPROVED"),
  components: z
    .array(z.looseObject({ type: z.string(), text: z.string().max(1024).optional() }))
    .max(10)
    .describe("Meta's component format; BODY text placeholders {{1}} or {{name}} set the parameter count"),
});

const channelParams = z.object({ id: z.string().max(100) });

/** A number's template registry: list, add by hand, or sync from the WhatsApp Business Account. */
export function templateRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Templates"];

  r.get(
    "/channels/:id/templates",
    {
      schema: {
        tags,
        params: channelParams,
        response: { 200: z.object({ data: z.array(templateResource) }) },
      },
    },
    async (req) => {
      await channelStore.get(deps.store, req.auth.workspaceId, req.params.id);
      return {
        data: (await templateStore.list(deps.store, req.auth.workspaceId, req.params.id)).map(
          toTemplateResource,
        ),
      };
    },
  );

  r.post(
    "/channels/:id/templates",
    { schema: { tags, params: channelParams, body: templateInput, response: { 201: templateResource } } },
    async (req, reply) => {
      await channelStore.get(deps.store, req.auth.workspaceId, req.params.id);
      const t = await templateStore.upsert(deps.store, req.auth.workspaceId, req.params.id, {
        ...req.body,
        source: "manual",
      });
      return reply.code(201).send(toTemplateResource(t));
    },
  );

  r.post(
    "/channels/:id/templates/sync",
    {
      schema: {
        tags,
        description:
          "Fetches the WABA's templates from the Graph API (GET /{waba_id}/message_templates) into the registry.",
        params: channelParams,
        response: { 200: z.object({ synced: z.number(), data: z.array(templateResource) }) },
      },
    },
    async (req) => {
      const channel = await channelStore.get(deps.store, req.auth.workspaceId, req.params.id);
      const synced = await syncTemplates(deps.store, channel);
      return {
        synced,
        data: (await templateStore.list(deps.store, req.auth.workspaceId, channel.id)).map(
          toTemplateResource,
        ),
      };
    },
  );
}
