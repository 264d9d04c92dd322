import { signWebhookBody } from "../../../src/channels/whatsapp/webhook/verifyWebhookSignature.ts";
import { channelStore } from "../../../src/store/channelStore.ts";
import type { TestApp } from "../../support/testApp.ts";

export interface SandboxChannel {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  appSecret: string;
  verifyToken: string;
}

/** The sandbox channel that a live test app creates, with its secrets. */
export async function sandboxChannel(t: TestApp): Promise<SandboxChannel> {
  const channels = await channelStore.list(t.parley.deps.store, t.workspaceId);
  const ch = channels.find((c) => c.kind === "sandbox");
  if (!ch) throw new Error("no sandbox channel");
  const s = await channelStore.secrets(t.parley.deps.store, ch.id);
  return {
    id: ch.id,
    phoneNumberId: ch.phoneNumberId,
    wabaId: ch.wabaId,
    appSecret: s.appSecret,
    verifyToken: s.verifyToken,
  };
}

/** POSTs a webhook delivery over real HTTP, signed like Meta (or with the given signature header). */
export async function postWebhook(t: TestApp, payload: unknown, secret: string, signature?: string | null) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const sig = signature === undefined ? signWebhookBody(body, secret) : signature;
  if (sig !== null) headers["x-hub-signature-256"] = sig;
  const res = await fetch(`${t.url()}/webhooks/whatsapp`, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}

/** An inbound text-message delivery as Meta shapes it. */
export function inboundText(
  ch: SandboxChannel,
  o: { from: string; id: string; text: string; name?: string; at?: number },
) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: ch.wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100000", phone_number_id: ch.phoneNumberId },
              contacts: [{ profile: { name: o.name ?? "Riya" }, wa_id: o.from }],
              messages: [
                {
                  from: o.from,
                  id: o.id,
                  timestamp: String(Math.floor((o.at ?? Date.now()) / 1000)),
                  type: "text",
                  text: { body: o.text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

/** A status delivery for one of our messages. */
export function statusUpdate(
  ch: SandboxChannel,
  o: { id: string; status: string; to: string; errors?: unknown[] },
) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: ch.wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100000", phone_number_id: ch.phoneNumberId },
              statuses: [
                {
                  id: o.id,
                  status: o.status,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: o.to,
                  ...(o.errors ? { errors: o.errors } : {}),
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

export async function count(
  t: TestApp,
  table: "webhook_deliveries" | "messages" | "conversations" | "contacts",
): Promise<number> {
  const r = await t.parley.deps.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
