import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { addComment, type Comment } from "../../store/conversations/addComment.ts";
import { listComments } from "../../store/conversations/listComments.ts";
import { pageQuery } from "../pageQuery.ts";
import { iso } from "../resources/iso.ts";

export const commentResource = z
  .object({
    id: z.number(),
    conversation_id: z.string(),
    by: z.object({
      type: z.string(),
      id: z.string().nullable(),
      name: z.string().optional().describe("A workflow's name when it wrote the note"),
    }),
    text: z.string(),
    at: z.string(),
  })
  .meta({ id: "Comment" });

export const commentBody = z.strictObject({ text: z.string().trim().min(1).max(4000) });

const toCommentResource = (c: Comment) => ({
  id: c.id,
  conversation_id: c.conversationId,
  by: c.by,
  text: c.text,
  at: iso(c.at),
});

/** Internal notes on a conversation, for the team only; they show in the timeline as `conversation.commented`. */
export function commentRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Conversations"];
  const params = z.object({ id: z.string().max(100) });

  r.get(
    "/conversations/:id/comments",
    {
      schema: {
        tags,
        description: "The conversation's internal notes, by agents, API keys and workflows, oldest first.",
        params,
        querystring: z.strictObject(pageQuery),
        response: { 200: z.object({ data: z.array(commentResource), next_cursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const page = await listComments(deps.store, req.auth.workspaceId, req.params.id, req.query);
      return { data: page.data.map(toCommentResource), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/conversations/:id/comments",
    {
      schema: {
        tags,
        description: "Adds an internal note (never sent to the contact).",
        params,
        body: commentBody,
        response: { 201: commentResource },
      },
    },
    async (req, reply) => {
      const c = await addComment(deps.store, req.auth.workspaceId, req.params.id, {
        text: req.body.text,
        by: req.auth.actor,
      });
      return reply.code(201).send(toCommentResource(c));
    },
  );
}
