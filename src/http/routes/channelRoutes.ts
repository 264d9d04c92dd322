import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { channelStore } from "../../store/channelStore.ts";
import { publicBaseUrl } from "../publicBaseUrl.ts";
import { channelResource, messagingLimitSchema, toChannelResource } from "../resources/channelResource.ts";

export const channelInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  phone_number_id: z.string().regex(/^\d{5,30}$/, "must be the numeric Phone Number ID from Meta"),
  display_phone_number: z.string().trim().min(5).max(30),
  waba_id: z.string().regex(/^\d{5,30}$/, "must be the numeric WhatsApp Business Account ID"),
  access_token: z.string().min(10).max(1000),
  app_secret: z.string().min(8).max(200),
  verify_token: z.string().min(8).max(200),
  graph_base_url: z.url().optional(),
  graph_version: z
    .string()
    .regex(/^v\d+\.\d+$/, "must look like v23.0")
    .optional(),
  mps: z.number().int().min(1).max(1000).optional(),
  messaging_limit: messagingLimitSchema.nullable().optional(),
});

const channelPatchSchema = channelInputSchema
  .omit({ phone_number_id: true, waba_id: true })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "give at least one field to change" });

/** WhatsApp numbers: connect one (secrets are sealed, never returned), list, update (e.g. a new token). */
export function channelRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Channels"];

  r.post(
    "/channels",
    { schema: { tags, body: channelInputSchema, response: { 201: channelResource } } },
    async (req, reply) => {
      const b = req.body;
      const channel = await channelStore.create(deps.store, req.auth.workspaceId, {
        name: b.name,
        kind: "cloud",
        phoneNumberId: b.phone_number_id,
        displayPhoneNumber: b.display_phone_number,
        wabaId: b.waba_id,
        accessToken: b.access_token,
        appSecret: b.app_secret,
        verifyToken: b.verify_token,
        graphBaseUrl: b.graph_base_url,
        graphVersion: b.graph_version,
        mps: b.mps,
        messagingLimit: b.messaging_limit,
      });
      return reply.code(201).send(toChannelResource(channel));
    },
  );

  r.get(
    "/channels",
    {
      schema: {
        tags,
        response: {
          200: z.object({
            data: z.array(channelResource),
            webhook_url: z
              .string()
              .describe(
                "The callback URL to give Meta for every number: on PUBLIC_URL when set, else on the origin the request came to",
              ),
          }),
        },
      },
    },
    async (req) => ({
      data: (await channelStore.list(deps.store, req.auth.workspaceId)).map(toChannelResource),
      webhook_url: `${publicBaseUrl(req, deps.config.PUBLIC_URL)}/webhooks/whatsapp`,
    }),
  );

  r.get(
    "/channels/:id",
    { schema: { tags, params: z.object({ id: z.string().max(100) }), response: { 200: channelResource } } },
    async (req) => toChannelResource(await channelStore.get(deps.store, req.auth.workspaceId, req.params.id)),
  );

  r.patch(
    "/channels/:id",
    {
      schema: {
        tags,
        description:
          "Change a channel's name, mps, messaging limit or secrets. A new access_token makes a channel that Meta refused (190) healthy again.",
        params: z.object({ id: z.string().max(100) }),
        body: channelPatchSchema,
        response: { 200: channelResource },
      },
    },
    async (req) => {
      const b = req.body;
      const channel = await channelStore.update(deps.store, req.auth.workspaceId, req.params.id, {
        name: b.name,
        displayPhoneNumber: b.display_phone_number,
        accessToken: b.access_token,
        appSecret: b.app_secret,
        verifyToken: b.verify_token,
        graphBaseUrl: b.graph_base_url,
        graphVersion: b.graph_version,
        mps: b.mps,
        messagingLimit: b.messaging_limit,
      });
      return toChannelResource(channel);
    },
  );
}
