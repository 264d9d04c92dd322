import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type EventHub, type LiveEvent, REPLAY_LIMIT } from "../../live/EventHub.ts";
import { resumeToken } from "../../live/resumeToken.ts";
import { sessionStore } from "../../store/sessionStore.ts";
import type { StoreContext } from "../../store/storeContext.ts";
import { snakeKeys } from "../resources/snakeKeys.ts";

const HEARTBEAT_MS = 15_000;

const RESET = {
  type: "stream.reset",
  reason: `more than ${REPLAY_LIMIT.toLocaleString("en")} events were missed; reload what you show`,
};

const format = (e: LiveEvent): string => {
  const { type: _t, ...details } = e.payload;
  const data = {
    ...snakeKeys(details),
    id: e.id,
    type: e.type,
    at: new Date(e.at).toISOString(),
    contact_id: e.contactId,
    conversation_id: e.conversationId,
  };
  return `id: ${e.resume}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`;
};

/** `GET /api/v1/events`: the workspace's domain events as Server-Sent Events, resumable with Last-Event-ID. */
export function eventRoutes(app: FastifyInstance, hub: EventHub, store: StoreContext) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/events",
    {
      schema: {
        tags: ["Events"],
        description: `Server-Sent Events stream of domain events (conversation.opened, conversation.reopened, conversation.closed, conversation.assigned, conversation.commented, message.created, message.status_changed, contact.updated). Reconnect with Last-Event-ID to resume. Each event's SSE \`id\` is an opaque resume point; \`data.id\` is the event's id. On PostgreSQL a resumed stream can repeat a few events it had already sent (at-least-once): deduplicate by \`data.id\`. A stream resumed from more than ${REPLAY_LIMIT.toLocaleString("en")} events back gets one \`stream.reset\` event instead of the replay: reload whatever you show, then carry on with the live events that follow.`,
        querystring: z.strictObject({
          last_event_id: z
            .string()
            .refine((v) => resumeToken.parse(v) !== null, "must be an event id from this stream")
            .optional()
            .describe("Where to resume: the `id` of the last event received (what Last-Event-ID carries)."),
        }),
      },
    },
    async (req, reply) => {
      const header = req.headers["last-event-id"];
      // A header that isn't one of our ids (another server's, say) starts afresh rather than failing the stream.
      const token = req.query.last_event_id ?? (typeof header === "string" ? header : undefined);
      const resume = token === undefined ? undefined : (resumeToken.parse(token) ?? undefined);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write(": connected\nretry: 2000\n\n");
      const unsubscribe = await hub.subscribe(
        req.auth.workspaceId,
        (e) => res.write(format(e)),
        resume,
        (point) => res.write(`id: ${point}\nevent: stream.reset\ndata: ${JSON.stringify(RESET)}\n\n`),
      );
      const session = req.auth.session;
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      const heartbeat = setInterval(async () => {
        // A browser's stream outlives its sign-in check; end it once the session is revoked or expired.
        if (session && !(await sessionStore.isActive(store, session.id).catch(() => true))) {
          stop();
          res.end();
          return;
        }
        res.write(": keep-alive\n\n");
      }, HEARTBEAT_MS);
      req.raw.on("close", stop);
    },
  );
}
