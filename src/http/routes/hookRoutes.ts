import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { AppError } from "../../core/errors.ts";
import { triggerWebhook } from "../../engine/triggerWebhook.ts";
import { workflowStore } from "../../store/workflows/workflowStore.ts";

function signatureOk(secret: string, raw: Buffer, header: unknown): boolean {
  if (typeof header !== "string") return false;
  const expected = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
  const a = Buffer.from(expected);
  // Hex digits in either case: some senders print them upper-case.
  const b = Buffer.from(header.trim().toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Public webhook URLs for shops and ticket systems: `POST /hooks/:token` with a JSON object. When the workflow's
 * trigger has a `secret`, the body must be signed: `X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 */
export function hookRoutes(app: FastifyInstance, deps: AppContext) {
  app.register(async (scope) => {
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { token: string } }>(
      "/hooks/:token",
      {
        schema: {
          tags: ["Workflows"],
          summary: "Trigger a webhook workflow from its public URL",
          description:
            "The public URL of a workflow with a `webhook` trigger (the workflow's `hook_url`), for shops and ticket systems: needs no API key. Send any JSON object; it becomes the run's `trigger` data. When the trigger has a `secret`, sign the exact body: `X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body>`. Answers `202` with the run (an existing one when the trigger's `dedupe_key` repeats).",
          security: [],
          params: z.object({ token: z.string() }),
          response: { 202: z.object({ run_id: z.string(), created: z.boolean() }) },
        },
      },
      async (req, reply) => {
        const wf = await workflowStore.findByHookToken(deps.store, req.params.token.slice(0, 100));
        if (wf?.definition.trigger.type !== "webhook")
          throw AppError.notFound("Hook", req.params.token.slice(0, 100));
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const secret = wf.definition.trigger.secret;
        if (secret && !signatureOk(secret, raw, req.headers["x-parley-signature"]))
          throw new AppError("unauthorized", "Missing or wrong X-Parley-Signature (sha256=HMAC of the body)");
        // Same answers as the API's own JSON bodies; the signature above covers the bytes as sent, BOM included.
        const text = raw.toString("utf8").replace(/^\uFEFF/, "");
        if (text.trim() === "") throw new AppError("bad_request", "The body is empty; send a JSON object");
        let payload: unknown;
        try {
          payload = JSON.parse(text);
        } catch (err) {
          throw new AppError("malformed_json", `The body is not valid JSON: ${(err as Error).message}`);
        }
        if (!payload || typeof payload !== "object" || Array.isArray(payload))
          throw AppError.validation("body", "send a JSON object");
        const started = await triggerWebhook(deps.store, wf, payload as Record<string, unknown>);
        return reply.code(202).send({ run_id: started.runId, created: started.created });
      },
    );
  });
}
