import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { graphErrorBody } from "./graphErrorBody.ts";
import type { GraphReply, Simulator } from "./Simulator.ts";
import { SimulatorError } from "./SimulatorError.ts";

const phoneParam = z.object({
  phone: z.string().regex(/^\+?\d{6,15}$/, "must be a phone number in international format"),
});

function send(reply: FastifyReply, r: GraphReply) {
  if (r.hang) return new Promise(() => {}); // fault injection: never answer, like a stuck upstream
  if (r.headers) reply.headers(r.headers);
  return reply.code(r.status).send(r.body);
}

/**
 * The simulator over HTTP: the Graph API paths Parley calls (`/{version}/{phone-number-id}/messages`,
 * `/{version}/{waba-id}/message_templates`) and an admin API under `/_sim` to play the customer and inject faults.
 */
export function simulatorPlugin(sim: Simulator) {
  return async function plugin(app: FastifyInstance) {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const hide = { hide: true };

    app.post<{ Params: { version: string; id: string } }>(
      "/:version/:id/messages",
      { schema: hide },
      async (req, reply) => {
        if (!/^v\d+\.\d+$/.test(req.params.version))
          return reply.code(400).send(graphErrorBody(100, "Invalid parameter", "Unknown API version"));
        return send(reply, sim.send(req.params.id, req.headers.authorization, req.body));
      },
    );

    app.get<{ Params: { version: string; id: string }; Querystring: { limit?: string; after?: string } }>(
      "/:version/:id/message_templates",
      { schema: hide },
      async (req, reply) => {
        const n = sim.numbers().find((x) => x.wabaId === req.params.id);
        if (!n)
          return reply
            .code(400)
            .send(
              graphErrorBody(100, "Invalid parameter", `Object with ID '${req.params.id}' does not exist`),
            );
        if (req.headers.authorization !== `Bearer ${n.accessToken}`)
          return reply
            .code(401)
            .send(graphErrorBody(190, "Invalid OAuth access token", "Error validating access token"));
        const body = sim.listTemplates(
          req.params.id,
          Math.min(100, Number(req.query.limit ?? 25) || 25),
          req.query.after,
        );
        const base = `${req.protocol}://${req.host}${req.url.split("?")[0]}`;
        if (body.paging.next) body.paging.next = `${base}${body.paging.next}`;
        return body;
      },
    );

    r.post(
      "/_sim/numbers",
      {
        schema: {
          ...hide,
          body: z.strictObject({
            phone_number_id: z.string().min(1),
            waba_id: z.string().min(1),
            display_phone_number: z.string().min(1),
            access_token: z.string().min(1),
            app_secret: z.string().min(1),
            webhook_url: z.url(),
            mps: z.number().int().min(1).max(1000).optional(),
          }),
        },
      },
      async (req) => {
        const b = req.body;
        return sim.registerNumber({
          phoneNumberId: b.phone_number_id,
          wabaId: b.waba_id,
          displayPhoneNumber: b.display_phone_number,
          accessToken: b.access_token,
          appSecret: b.app_secret,
          webhookUrl: b.webhook_url,
          mps: b.mps,
        });
      },
    );

    r.post(
      "/_sim/templates",
      {
        schema: {
          ...hide,
          body: z.strictObject({
            waba_id: z.string(),
            name: z.string(),
            language: z.string(),
            category: z.enum(["MARKETING", "UTILITY", "AUTHENTICATION"]),
            status: z.string().default("APPROVED"),
            components: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
          }),
        },
      },
      async (req) =>
        sim.upsertTemplate({
          wabaId: req.body.waba_id,
          name: req.body.name,
          language: req.body.language,
          category: req.body.category,
          status: req.body.status,
          components: req.body.components,
        }),
    );

    r.get("/_sim/phones", { schema: hide }, async () => ({ data: sim.phones() }));
    r.post(
      "/_sim/phones",
      {
        schema: {
          ...hide,
          body: z.strictObject({
            phone: z.string(),
            name: z.string().optional(),
            on_whatsapp: z.boolean().optional(),
          }),
        },
      },
      async (req) =>
        sim.upsertPhone({ phone: req.body.phone, name: req.body.name, onWhatsApp: req.body.on_whatsapp }),
    );

    r.get(
      "/_sim/phones/:phone/messages",
      {
        schema: {
          ...hide,
          params: phoneParam,
          querystring: z.object({ phone_number_id: z.string().optional() }),
        },
      },
      async (req) => ({ data: sim.phoneMessages(req.params.phone, req.query.phone_number_id) }),
    );

    r.post(
      "/_sim/phones/:phone/messages",
      {
        schema: {
          ...hide,
          params: phoneParam,
          body: z.strictObject({
            phone_number_id: z.string().optional(),
            text: z.string().max(4096).optional(),
            reply: z.object({ id: z.string() }).optional(),
            name: z.string().optional(),
          }),
        },
      },
      async (req, reply) => {
        try {
          return reply.code(202).send(
            sim.customerSays({
              phone: req.params.phone,
              phoneNumberId: req.body.phone_number_id,
              text: req.body.text,
              reply: req.body.reply,
              name: req.body.name,
            }),
          );
        } catch (err) {
          if (err instanceof SimulatorError)
            return reply.code(422).type("application/problem+json").send({
              type: "urn:parley:problem:validation",
              title: "Unprocessable Content",
              status: 422,
              detail: err.message,
              code: "validation",
            });
          throw err;
        }
      },
    );

    r.post(
      "/_sim/phones/:phone/marketing",
      {
        schema: {
          ...hide,
          params: phoneParam,
          body: z.strictObject({ value: z.enum(["stop", "resume"]), phone_number_id: z.string().optional() }),
        },
      },
      async (req, reply) => {
        sim.setMarketingPreference({
          phone: req.params.phone,
          value: req.body.value,
          phoneNumberId: req.body.phone_number_id,
        });
        return reply.code(202).send({ ok: true });
      },
    );

    r.post(
      "/_sim/faults",
      {
        schema: {
          ...hide,
          body: z.strictObject({
            http500: z.number().int().min(0).optional(),
            timeout: z.number().int().min(0).optional(),
            badToken: z.number().int().min(0).optional(),
            duplicateWebhooks: z.boolean().optional(),
            outOfOrder: z.boolean().optional(),
            dropDelivered: z.boolean().optional(),
          }),
        },
      },
      async (req) => {
        sim.faults = { ...sim.faults, ...req.body };
        sim.webhooks.duplicate = sim.faults.duplicateWebhooks;
        return sim.faults;
      },
    );

    r.get("/_sim/stats", { schema: hide }, async () => sim.stats.snapshot());
    r.post("/_sim/stats/reset", { schema: hide }, async () => {
      sim.stats.reset();
      return { status: "ok" };
    });

    r.post("/_sim/reset", { schema: hide }, async () => {
      sim.reset();
      return { ok: true };
    });
  };
}
