import Fastify from "fastify";
import { verifyWebhookSignature } from "../src/channels/whatsapp/webhook/verifyWebhookSignature.ts";

// The ceiling for bench:webhooks: a bare Fastify route that only checks the HMAC and answers 200.
const [port, secret] = process.argv.slice(2);
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
app.get("/healthz", async () => ({ status: "ok" }));
app.post("/webhooks/whatsapp", async (req, reply) => {
  const header = req.headers["x-hub-signature-256"];
  const ok =
    Buffer.isBuffer(req.body) &&
    typeof header === "string" &&
    verifyWebhookSignature(req.body, header, secret ?? "");
  return reply.code(ok ? 200 : 401).send(ok ? { status: "ok" } : { status: "bad signature" });
});
await app.listen({ port: Number(port), host: "127.0.0.1" });
