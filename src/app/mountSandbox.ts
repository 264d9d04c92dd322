import { randomBytes, randomInt } from "node:crypto";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { Simulator } from "../channels/whatsapp/simulator/Simulator.ts";
import { SimulatorError } from "../channels/whatsapp/simulator/SimulatorError.ts";
import { simulatorPlugin } from "../channels/whatsapp/simulator/simulatorPlugin.ts";
import type { SimTemplate } from "../channels/whatsapp/simulator/simulatorTypes.ts";
import { AppError } from "../core/errors.ts";
import { createAuthenticate } from "../http/authenticate.ts";
import { channelResource, toChannelResource } from "../http/resources/channelResource.ts";
import { channelStore } from "../store/channelStore.ts";
import { templateStore } from "../store/templateStore.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import type { AppContext } from "./AppContext.ts";

export interface Sandbox {
  simulator: Simulator;
  /** Tells the sandbox where this server listens, so sandbox channels and the simulator can reach each other. */
  setLocalUrl(url: string): Promise<void>;
  close(): Promise<void>;
}

/** One message of a simulated phone's chat, as the phone sees it. */
export const phoneMessageResource = z
  .object({
    id: z.string(),
    direction: z.enum(["to_phone", "from_phone"]),
    type: z.string(),
    text: z.string(),
    template_name: z.string().nullable(),
    options: z.array(
      z.object({ id: z.string(), title: z.string(), kind: z.string(), description: z.string().optional() }),
    ),
    status: z.enum(["sent", "delivered", "read", "failed", "received"]),
    error: z.object({ code: z.number(), title: z.string() }).nullable(),
    at: z.string(),
  })
  .meta({ id: "SandboxPhoneMessage" });

/** The two approved sample templates every sandbox number starts with. */
export const SAMPLE_TEMPLATES: Omit<SimTemplate, "id" | "wabaId">[] = [
  {
    name: "order_ready",
    language: "en",
    category: "UTILITY",
    status: "APPROVED",
    components: [
      { type: "BODY", text: "Hi {{1}}, your order {{2}} is ready. Would you like to track it now?" },
      {
        type: "BUTTONS",
        buttons: [
          { type: "QUICK_REPLY", text: "Yes" },
          { type: "QUICK_REPLY", text: "No" },
        ],
      },
    ],
  },
  {
    name: "we_miss_you",
    language: "en",
    category: "MARKETING",
    status: "APPROVED",
    components: [
      { type: "BODY", text: "Hi {{1}}, it's been a while! We have new offers for you. Reply to see them." },
    ],
  },
];

/**
 * The embedded default's WhatsApp: the simulator mounted at /simulator, a sandbox channel wired to it (created
 * on first start with the sample templates), and /sandbox routes to play the customer.
 */
export async function mountSandbox(
  app: FastifyInstance,
  deps: AppContext,
  opts: { delays?: { sentMs: number; deliveredMs: number; readMs: number | null } },
): Promise<Sandbox> {
  const { store, log, config } = deps;
  const simulator = new Simulator({
    log,
    delays: opts.delays,
    persistFile: join(config.dataDir, "simulator.json"),
  });
  await app.register(simulatorPlugin(simulator), { prefix: "/simulator" });
  // /simulator is the mock Graph API; someone who types it into a browser wants the simulator page.
  app.get("/simulator", { schema: { hide: true } }, (_req, reply) => reply.redirect("/simulate"));

  /** Where this server listens, once known (see setLocalUrl); new sandbox numbers are wired to it at once. */
  let localUrl: string | null = null;

  /** Tells the simulator about a sandbox number (and its templates) so it accepts sends and signs webhooks. */
  async function register(
    row: {
      id: string;
      workspace_id: string;
      phone_number_id: string;
      waba_id: string;
      display_phone_number: string;
      mps: number;
    },
    url: string,
  ) {
    const secrets = await channelStore.secrets(store, row.id);
    simulator.registerNumber({
      phoneNumberId: row.phone_number_id,
      wabaId: row.waba_id,
      displayPhoneNumber: row.display_phone_number,
      accessToken: secrets.accessToken,
      appSecret: secrets.appSecret,
      webhookUrl: `${url}/webhooks/whatsapp`,
      mps: row.mps,
    });
    for (const t of await templateStore.list(store, row.workspace_id, row.id)) {
      simulator.upsertTemplate({
        wabaId: row.waba_id,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        components: t.components as SimTemplate["components"],
      });
    }
  }

  /** A new number on the simulator, with the sample templates; wired up now if the server already listens. */
  async function createSandboxChannel(workspaceId: string, name: string) {
    const channel = await channelStore.create(store, workspaceId, {
      name,
      kind: "sandbox",
      phoneNumberId: String(randomInt(100_000_000, 999_999_999)) + String(randomInt(100_000, 999_999)),
      displayPhoneNumber: `+1 555 01${randomInt(10, 99)} ${randomInt(1000, 9999)}`,
      wabaId: String(randomInt(100_000_000, 999_999_999)) + String(randomInt(100_000, 999_999)),
      accessToken: `sandbox-${randomBytes(16).toString("hex")}`,
      appSecret: randomBytes(16).toString("hex"),
      verifyToken: randomBytes(12).toString("hex"),
      graphBaseUrl: `${localUrl ?? "http://127.0.0.1"}/simulator`,
    });
    for (const t of SAMPLE_TEMPLATES) {
      await templateStore.upsert(store, workspaceId, channel.id, { ...t, source: "sync" });
    }
    if (localUrl) {
      const row = await store.db
        .selectFrom("channels")
        .selectAll()
        .where("id", "=", channel.id)
        .executeTakeFirstOrThrow();
      await register(row, localUrl);
      store.bus.emit("channels.changed");
    }
    return channelStore.get(store, workspaceId, channel.id);
  }

  const first = await workspaceStore.first(store);
  const existing = await store.db
    .selectFrom("channels")
    .select("id")
    .where("kind", "=", "sandbox")
    .executeTakeFirst();
  if (first && !existing) {
    const channel = await createSandboxChannel(first.id, "Sandbox");
    log.info({ channelId: channel.id }, "created a sandbox WhatsApp number wired to the built-in simulator");
  }

  async function setLocalUrl(url: string) {
    localUrl = url;
    const rows = await store.db.selectFrom("channels").selectAll().where("kind", "=", "sandbox").execute();
    for (const row of rows) await register(row, url);
    await store.db
      .updateTable("channels")
      .set({ graph_base_url: `${url}/simulator` })
      .where("kind", "=", "sandbox")
      .execute();
    store.bus.emit("channels.changed");
  }

  const authenticate = createAuthenticate(store);
  await app.register(async (scope) => {
    scope.addHook("onRequest", authenticate);
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const params = z.object({
      phone: z
        .string()
        .regex(/^\+?\d{6,15}$/, "must be a phone number in international format, e.g. +14155550123"),
    });

    async function sandboxChannel(workspaceId: string, channelId?: string) {
      const channels = (await channelStore.list(store, workspaceId)).filter((c) => c.kind === "sandbox");
      const ch = channelId ? channels.find((c) => c.id === channelId) : channels[0];
      if (!ch)
        throw new AppError(
          "not_found",
          channelId ? `Sandbox channel ${channelId} was not found` : "This workspace has no sandbox channel",
        );
      return ch;
    }

    r.post(
      "/sandbox/channels",
      {
        schema: {
          tags: ["Sandbox"],
          description:
            "Adds a sandbox WhatsApp number on the built-in simulator (with the sample templates), ready to use at once. Admins only.",
          // No body at all (Fastify passes null) means the defaults.
          body: z.strictObject({ name: z.string().trim().min(1).max(100).optional() }).nullish(),
          response: { 201: channelResource },
        },
      },
      async (req, reply) => {
        const ws = req.auth.workspaceId;
        const sandboxes = (await channelStore.list(store, ws)).filter((c) => c.kind === "sandbox").length;
        const name = req.body?.name ?? (sandboxes ? `Sandbox ${sandboxes + 1}` : "Sandbox");
        return reply.code(201).send(toChannelResource(await createSandboxChannel(ws, name)));
      },
    );

    r.post(
      "/sandbox/phones/:phone/messages",
      {
        schema: {
          tags: ["Sandbox"],
          description:
            "Play the customer: the simulated phone sends a text, or taps a button / list row of the last interactive message.",
          params,
          body: z
            .strictObject({
              text: z.string().trim().min(1).max(4096).optional(),
              reply: z.strictObject({ id: z.string().min(1) }).optional(),
              channel_id: z.string().optional(),
              name: z.string().max(100).optional(),
            })
            .refine((b) => Boolean(b.text) !== Boolean(b.reply), {
              message: "give exactly one of text or reply",
              path: ["text"],
            }),
          response: { 202: z.object({ id: z.string(), phone: z.string(), channel_id: z.string() }) },
        },
      },
      async (req, reply) => {
        const ch = await sandboxChannel(req.auth.workspaceId, req.body.channel_id);
        try {
          const { id } = simulator.customerSays({
            phoneNumberId: ch.phoneNumberId,
            phone: req.params.phone,
            text: req.body.text,
            reply: req.body.reply,
            name: req.body.name,
          });
          return reply
            .code(202)
            .send({ id, phone: `+${req.params.phone.replace(/\D/g, "")}`, channel_id: ch.id });
        } catch (err) {
          if (err instanceof SimulatorError)
            throw AppError.validation(req.body.reply ? "reply.id" : "text", err.message);
          throw err;
        }
      },
    );

    r.get(
      "/sandbox/phones/:phone/messages",
      {
        schema: {
          tags: ["Sandbox"],
          description: "The simulated phone's chat as the phone sees it (both directions, with statuses).",
          params,
          querystring: z.strictObject({ channel_id: z.string().optional() }),
          response: { 200: z.object({ data: z.array(phoneMessageResource) }) },
        },
      },
      async (req) => {
        const ch = await sandboxChannel(req.auth.workspaceId, req.query.channel_id);
        return {
          data: simulator.phoneMessages(req.params.phone, ch.phoneNumberId).map((m) => ({
            id: m.id,
            direction: m.direction === "in" ? ("to_phone" as const) : ("from_phone" as const),
            type: m.type,
            text: m.text,
            template_name: m.templateName ?? null,
            options: m.options ?? [],
            status: m.status,
            error: m.error ?? null,
            at: new Date(m.timestamp).toISOString(),
          })),
        };
      },
    );
  });

  return { simulator, setLocalUrl, close: () => simulator.close() };
}
