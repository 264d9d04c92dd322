import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { problem, sendProblem } from "../../../http/problem.ts";
import { verifyChallenge } from "../webhook/verifyChallenge.ts";
import { verifyWebhookSignature } from "../webhook/verifyWebhookSignature.ts";
import type { ChannelDirectory, RoutedChannel } from "./ChannelDirectory.ts";
import type { WebhookInbox } from "./WebhookInbox.ts";

/**
 * Meta's message and status deliveries name their number in each change's `metadata.phone_number_id`, the only
 * key of that name in them. Finding the first one in the text spares parsing the whole body on the hot path (the
 * webhook thread parses it anyway). A string value can't match: inside one, a quote is escaped.
 */
const PHONE_NUMBER_ID = /"phone_number_id"\s*:\s*"([^"\\]{1,64})"/;

/** Where a delivery should go: the phone_number_id in its metadata, else (account-level fields) its WABA id. */
function routingKeys(body: unknown): { phoneNumberId?: string; wabaId?: string } {
  if (!body || typeof body !== "object" || !("entry" in body) || !Array.isArray(body.entry)) return {};
  const entry: unknown = body.entry[0];
  if (!entry || typeof entry !== "object") return {};
  const wabaId = "id" in entry && typeof entry.id === "string" ? entry.id : undefined;
  const changes = "changes" in entry && Array.isArray(entry.changes) ? entry.changes : [];
  for (const change of changes) {
    const pnid = change?.value?.metadata?.phone_number_id;
    if (typeof pnid === "string") return { phoneNumberId: pnid, wabaId };
  }
  return { wabaId };
}

// Documented in the API reference but not validated by schema: the handshake's query is read as Meta sends it,
// and the POST body must stay the raw bytes the signature covers.
const tags = ["WhatsApp webhooks"];
const verifyDocs = {
  tags,
  summary: "Meta's webhook verification handshake",
  description:
    "Meta calls this when you save the callback URL: `?hub.mode=subscribe&hub.verify_token=<a channel's verify token>&hub.challenge=<n>`. Answers the challenge as text/plain, or `403` when the token matches no channel.",
  security: [],
};
const deliveryDocs = {
  tags,
  summary: "Meta's webhook deliveries",
  description:
    "The callback URL to give Meta (`https://<your host>/webhooks/whatsapp`). The body is Meta's webhook JSON, signed with the app secret in `X-Hub-Signature-256`; it is stored before the `200` (in the database, or on a SQLite file in the webhook spool) and processed after. Over 100,000 deliveries waiting to be stored, a `503` asks Meta to retry later. A missing or wrong signature is a `401` and nothing is stored; a delivery for a number Parley doesn't know is acknowledged and dropped.",
  security: [],
};

/**
 * Meta's webhook endpoint. GET answers the verification handshake; POST checks `X-Hub-Signature-256` against
 * the app secret of the number the delivery is for, persists the raw body (WebhookInbox, or WebhookSpool on a
 * SQLite file), and only then answers 200.
 * Processing happens after, in WebhookProcessor. A bad or missing signature is a 401 and nothing is stored.
 */
export function webhookRoutes(
  app: FastifyInstance,
  deps: { directory: ChannelDirectory; inbox: Pick<WebhookInbox, "accept">; log: Logger },
) {
  const log = deps.log.child({ component: "webhooks" });

  app.register(async (scope) => {
    // The signature covers the exact bytes Meta sent, so this scope keeps the raw body.
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) =>
      done(null, body),
    );

    scope.get("/webhooks/whatsapp", { schema: verifyDocs }, async (req, reply) => {
      const channels = await deps.directory.all();
      const result = verifyChallenge(req.query as Record<string, unknown>, (token) =>
        channels.some((c) => c.verifyToken === token),
      );
      if (!result.ok)
        return sendProblem(
          reply,
          problem(403, "forbidden", "Verification failed: wrong hub.mode or hub.verify_token"),
        );
      return reply.code(200).type("text/plain").send(result.challenge);
    });

    scope.post("/webhooks/whatsapp", { schema: deliveryDocs }, async (req, reply) => {
      const raw = req.body;
      if (!Buffer.isBuffer(raw))
        return sendProblem(reply, problem(415, "unsupported_media_type", "Send application/json"));
      const signature = req.headers["x-hub-signature-256"];
      const header = typeof signature === "string" ? signature : undefined;
      if (!header) return sendProblem(reply, problem(401, "unauthorized", "Missing X-Hub-Signature-256"));
      const text = raw.toString("utf8");
      let keys: { phoneNumberId?: string; wabaId?: string };
      const found = PHONE_NUMBER_ID.exec(text)?.[1];
      if (found) keys = { phoneNumberId: found };
      else {
        try {
          keys = routingKeys(JSON.parse(text));
        } catch {
          return sendProblem(reply, problem(400, "malformed_json", "The body is not valid JSON"));
        }
      }
      const { phoneNumberId, wabaId } = keys;
      let candidates: RoutedChannel[] = [];
      if (phoneNumberId) {
        const hit = await deps.directory.byPhoneNumberId(phoneNumberId);
        if (hit) candidates = [hit];
      } else if (wabaId) {
        candidates = await deps.directory.byWabaId(wabaId);
      }
      if (candidates.length === 0) {
        // Not ours (or not connected any more): acknowledge so Meta doesn't retry for days, but keep nothing.
        log.warn({ phoneNumberId, wabaId }, "webhook for an unknown number acknowledged and dropped");
        return reply.code(200).send({ status: "ignored" });
      }
      const channel = candidates.find((c) => verifyWebhookSignature(raw, header, c.appSecret));
      if (!channel)
        return sendProblem(reply, problem(401, "unauthorized", "X-Hub-Signature-256 does not match"));
      await deps.inbox.accept(channel.channel.id, raw);
      return reply.code(200).send({ status: "ok" });
    });
  });
}
