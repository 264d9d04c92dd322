import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { outboundMessageSchema } from "../../channels/whatsapp/graph/outboundMessageSchema.ts";
import { queueWhatsAppMessageIn } from "../../channels/whatsapp/queueWhatsAppMessage.ts";
import { assigneeSchema, SUMMARY_MAX } from "../../core/conversation/conversationSchema.ts";
import { AppError } from "../../core/errors.ts";
import { channelStore } from "../../store/channelStore.ts";
import { contactStore } from "../../store/contactStore.ts";
import { assignConversation } from "../../store/conversations/assignConversation.ts";
import { closeConversation } from "../../store/conversations/closeConversation.ts";
import { conversationQueries } from "../../store/conversations/conversationQueries.ts";
import { openConversation } from "../../store/conversations/openConversation.ts";
import { inTransaction } from "../../store/inTransaction.ts";
import { messageStore, toMessage } from "../../store/messageStore.ts";
import { orderQuery, pageQuery } from "../pageQuery.ts";
import { conversationResource, toConversationResource } from "../resources/conversationResource.ts";
import { messageResource, toMessageResource } from "../resources/messageResource.ts";

const idParams = z.object({ id: z.string().max(100) });

const openBody = z
  .strictObject({
    contact_id: z.string().max(100).optional(),
    phone: z.string().max(40).optional(),
    channel_id: z.string().max(100),
    assignee: assigneeSchema.optional(),
  })
  .refine((b) => Boolean(b.contact_id) !== Boolean(b.phone), {
    message: "give exactly one of contact_id or phone",
    path: ["contact_id"],
  });

/** Open, list, read, message, assign and close conversations. */
export function conversationRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Conversations"];

  r.post(
    "/conversations/open",
    {
      schema: {
        tags,
        description:
          "Open Conversation: returns the contact's open conversation unchanged, reopens the last closed one (same id), or creates one.",
        body: openBody,
        response: {
          200: z.object({ conversation: conversationResource, created: z.boolean(), reopened: z.boolean() }),
          201: z.object({ conversation: conversationResource, created: z.boolean(), reopened: z.boolean() }),
        },
      },
    },
    async (req, reply) => {
      const ws = req.auth.workspaceId;
      // An open that fails on its channel must not leave a new contact behind.
      if (req.body.phone) await channelStore.get(deps.store, ws, req.body.channel_id);
      const contactId = req.body.contact_id
        ? req.body.contact_id
        : (await contactStore.upsert(deps.store, ws, { phone: req.body.phone ?? "" })).contact.id;
      const result = await openConversation(deps.store, ws, {
        contactId,
        channelId: req.body.channel_id,
        assignee: req.body.assignee,
        by: req.auth.actor,
      });
      return reply.code(result.created ? 201 : 200).send({
        conversation: toConversationResource(result.conversation),
        created: result.created,
        reopened: result.reopened,
      });
    },
  );

  r.get(
    "/conversations",
    {
      schema: {
        tags,
        querystring: z.strictObject({
          status: z.enum(["open", "closed"]).optional(),
          category: z.string().max(100).optional(),
          assignee: z.string().max(120).optional().describe("bot, none, agent or agent:<id>"),
          channel_id: z.string().max(100).optional(),
          contact_id: z.string().max(100).optional(),
          q: z.string().max(100).optional(),
          ...pageQuery,
        }),
        response: {
          200: z.object({ data: z.array(conversationResource), next_cursor: z.string().nullable() }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await conversationQueries.list(deps.store, req.auth.workspaceId, {
        status: q.status,
        category: q.category,
        assignee: q.assignee,
        channelId: q.channel_id,
        contactId: q.contact_id,
        q: q.q,
        limit: q.limit,
        cursor: q.cursor,
      });
      return { data: page.data.map(toConversationResource), next_cursor: page.nextCursor };
    },
  );

  r.get(
    "/conversations/counts",
    {
      schema: {
        tags,
        description:
          "Open and closed counts for the inbox tabs, narrowed by the same filters as the list (status aside).",
        querystring: z.strictObject({
          category: z.string().max(100).optional(),
          assignee: z.string().max(120).optional().describe("bot, none, agent or agent:<id>"),
          channel_id: z.string().max(100).optional(),
          q: z.string().max(100).optional(),
        }),
        response: { 200: z.object({ open: z.number(), closed: z.number() }) },
      },
    },
    async (req) =>
      conversationQueries.counts(deps.store, req.auth.workspaceId, {
        category: req.query.category,
        assignee: req.query.assignee,
        channelId: req.query.channel_id,
        q: req.query.q,
      }),
  );

  r.get(
    "/conversations/:id",
    { schema: { tags, params: idParams, response: { 200: conversationResource } } },
    async (req) =>
      toConversationResource(await conversationQueries.get(deps.store, req.auth.workspaceId, req.params.id)),
  );

  r.get(
    "/conversations/:id/messages",
    {
      schema: {
        tags,
        params: idParams,
        querystring: z.strictObject({ ...pageQuery, order: orderQuery }),
        response: { 200: z.object({ data: z.array(messageResource), next_cursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      await conversationQueries.get(deps.store, req.auth.workspaceId, req.params.id);
      const page = await messageStore.list(deps.store, req.auth.workspaceId, req.params.id, req.query);
      return { data: page.data.map(toMessageResource), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/conversations/:id/messages",
    {
      schema: {
        tags,
        description:
          "Queues an outbound message (text, template, interactive, image or document); the channel's delivery worker sends it. Free-form messages need an open 24-hour window; templates are always allowed. A closed conversation is reopened. Send `Idempotency-Key` to make retries safe.",
        params: idParams,
        headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional() }),
        body: outboundMessageSchema,
        response: { 201: messageResource },
      },
    },
    async (req, reply) => {
      const ws = req.auth.workspaceId;
      const row = await inTransaction(deps.store, (tx) =>
        queueWhatsAppMessageIn(deps.store, tx, ws, req.params.id, {
          message: req.body,
          // Sent with an API key, the author is that key (as in `opened_by`/`closed_by`), not an agent.
          author: { type: req.auth.actor.type === "api" ? "api" : "agent", id: req.auth.actor.id },
          by: req.auth.actor,
          idempotencyKey: req.headers["idempotency-key"],
        }),
      );
      return reply.code(201).send(toMessageResource(toMessage(row)));
    },
  );

  r.post(
    "/conversations/:id/assign",
    { schema: { tags, params: idParams, body: assigneeSchema, response: { 200: conversationResource } } },
    async (req) =>
      toConversationResource(
        await assignConversation(deps.store, req.auth.workspaceId, req.params.id, req.body, req.auth.actor),
      ),
  );

  r.post(
    "/conversations/:id/close",
    {
      schema: {
        tags,
        description:
          "Close Conversation with a category (key or name) and a summary, per the workspace's closing-notes policy.",
        params: idParams,
        body: z
          .strictObject({
            category: z.string().max(100).nullable().optional(),
            summary: z.string().max(SUMMARY_MAX).nullable().optional(),
          })
          .default({}),
        response: { 200: conversationResource },
      },
    },
    async (req) => {
      if (!req.body) throw new AppError("validation", "Send a JSON body with category and summary");
      return toConversationResource(
        await closeConversation(deps.store, req.auth.workspaceId, req.params.id, {
          ...req.body,
          by: req.auth.actor,
        }),
      );
    },
  );
}
