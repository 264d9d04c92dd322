import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { contactInputSchema, contactPatchSchema } from "../../core/contact/contactSchema.ts";
import { contactStore } from "../../store/contactStore.ts";
import { timelineStore } from "../../store/timelineStore.ts";
import { orderQuery, pageQuery } from "../pageQuery.ts";
import { contactResource, toContactResource } from "../resources/contactResource.ts";
import { iso } from "../resources/iso.ts";
import { snakeKeys } from "../resources/snakeKeys.ts";

const idParams = z.object({ id: z.string().max(100) });

export const timelineEntry = z
  .object({
    id: z.number(),
    type: z.string(),
    at: z.string(),
    conversation_id: z.string().nullable(),
  })
  .catchall(z.unknown())
  .meta({ id: "TimelineEntry" });

/** Contacts (upsert by phone) and each contact's timeline. */
export function contactRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Contacts"];

  r.post(
    "/contacts",
    { schema: { tags, body: contactInputSchema, response: { 200: contactResource, 201: contactResource } } },
    async (req, reply) => {
      const { contact, created } = await contactStore.upsert(deps.store, req.auth.workspaceId, req.body);
      return reply.code(created ? 201 : 200).send(toContactResource(contact));
    },
  );

  r.get(
    "/contacts",
    {
      schema: {
        tags,
        querystring: z.strictObject({
          phone: z.string().max(40).optional(),
          q: z.string().max(100).optional(),
          tag: z.string().max(64).optional(),
          ...pageQuery,
        }),
        response: { 200: z.object({ data: z.array(contactResource), next_cursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const page = await contactStore.list(deps.store, req.auth.workspaceId, req.query);
      return { data: page.data.map(toContactResource), next_cursor: page.nextCursor };
    },
  );

  r.get(
    "/contacts/:id",
    { schema: { tags, params: idParams, response: { 200: contactResource } } },
    async (req) => toContactResource(await contactStore.get(deps.store, req.auth.workspaceId, req.params.id)),
  );

  r.patch(
    "/contacts/:id",
    { schema: { tags, params: idParams, body: contactPatchSchema, response: { 200: contactResource } } },
    async (req) =>
      toContactResource(await contactStore.patch(deps.store, req.auth.workspaceId, req.params.id, req.body)),
  );

  r.get(
    "/contacts/:id/timeline",
    {
      schema: {
        tags,
        params: idParams,
        querystring: z.strictObject({
          ...pageQuery,
          limit: pageQuery.limit.default(100),
          order: orderQuery,
          types: z
            .string()
            .max(500)
            .optional()
            .describe("Comma-separated event types to keep, e.g. conversation.opened,conversation.closed"),
        }),
        response: { 200: z.object({ data: z.array(timelineEntry), next_cursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      await contactStore.get(deps.store, req.auth.workspaceId, req.params.id);
      const types = req.query.types
        ?.split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      const page = await timelineStore.list(deps.store, req.auth.workspaceId, req.params.id, {
        ...req.query,
        types,
      });
      return {
        data: page.data.map((e) => ({
          ...snakeKeys(e.details),
          id: e.id,
          type: e.type,
          at: iso(e.at),
          conversation_id: e.conversationId,
        })),
        next_cursor: page.nextCursor,
      };
    },
  );
}
