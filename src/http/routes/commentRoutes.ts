import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { addComment } from "../../store/conversations/addComment.ts";
import { iso } from "../resources/iso.ts";

export const commentResource = z
  .object({
    id: z.number(),
    conversation_id: z.string(),
    by: z.object({ type: z.string(), id: z.string().nullable() }),
    text: z.string(),
    at: z.string(),
  })
  .meta({ id: "Comment" });

export const commentBody = z.strictObject({ text: z.string().trim().min(1).max(4000) });

/** Internal notes on a conversation, for the team only; they show in the timeline as `conversation.commented`. */
export function commentRoutes(app: FastifyInstance, deps: AppContext) {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/conversations/:id/comments",
    {
      schema: {
        tags: ["Conversations"],
        description: "Adds an internal note (never sent to the contact).",
        params: z.object({ id: z.string().max(100) }),
        body: commentBody,
        response: { 201: commentResource },
      },
    },
    async (req, reply) => {
      const c = await addComment(deps.store, req.auth.workspaceId, req.params.id, {
        text: req.body.text,
        by: req.auth.actor,
      });
      return reply
        .code(201)
        .send({ id: c.id, conversation_id: c.conversationId, by: c.by, text: c.text, at: iso(c.at) });
    },
  );
}
