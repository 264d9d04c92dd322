import type { Logger } from "pino";
import { keepAliveFetch } from "../graph/keepAliveFetch.ts";
import { signWebhookBody } from "../webhook/verifyWebhookSignature.ts";
import type { SimNumber } from "./simulatorTypes.ts";

const secs = (ms: number) => String(Math.floor(ms / 1000));

/** Like Meta, a bounded set of kept-alive connections to each webhook endpoint, not one per delivery. */
const post = keepAliveFetch({ maxSockets: 64 });

/** Builds Meta-shaped webhook deliveries and posts them, signed, to the number's webhook URL (with a few retries). */
export class SimulatorWebhooks {
  readonly #log: Logger;
  duplicate = false;
  #pending = new Set<Promise<void>>();

  constructor(log: Logger) {
    this.#log = log;
  }

  envelope(n: SimNumber, value: Record<string, unknown>, field = "messages") {
    return {
      object: "whatsapp_business_account",
      entry: [
        {
          id: n.wabaId,
          changes: [
            {
              value: {
                messaging_product: "whatsapp",
                metadata: {
                  display_phone_number: n.displayPhoneNumber.replace(/\D/g, ""),
                  phone_number_id: n.phoneNumberId,
                },
                ...value,
              },
              field,
            },
          ],
        },
      ],
    };
  }

  status(
    n: SimNumber,
    o: {
      id: string;
      status: string;
      to: string;
      at: number;
      errors?: unknown[];
      category?: string;
      opaque?: string;
    },
  ) {
    const st: Record<string, unknown> = {
      id: o.id,
      status: o.status,
      timestamp: secs(o.at),
      recipient_id: o.to,
    };
    if (o.opaque) st.biz_opaque_callback_data = o.opaque;
    if (o.status === "sent") {
      st.conversation = {
        id: o.id.slice(-24),
        expiration_timestamp: secs(o.at + 24 * 3600_000),
        origin: { type: o.category ?? "service" },
      };
    }
    if (o.status !== "failed")
      st.pricing = {
        billable: o.category !== "service",
        pricing_model: "PMP",
        category: o.category ?? "service",
        type: "regular",
      };
    if (o.errors) st.errors = o.errors;
    return this.envelope(n, { statuses: [st] });
  }

  /** Meta's `user_preferences` delivery: the user stopped or resumed marketing messages inside WhatsApp. */
  userPreference(n: SimNumber, phone: { phone: string; name: string }, value: "stop" | "resume", at: number) {
    const wa = phone.phone.replace(/\D/g, "");
    return this.envelope(
      n,
      {
        contacts: [{ profile: { name: phone.name }, wa_id: wa }],
        user_preferences: [
          {
            wa_id: wa,
            detail: `User requested to ${value} marketing messages`,
            category: "marketing_messages",
            value,
            timestamp: Math.floor(at / 1000),
          },
        ],
      },
      "user_preferences",
    );
  }

  /** Fire and forget: the Graph call that caused this already answered. */
  deliver(n: SimNumber, payload: unknown): void {
    const body = JSON.stringify(payload);
    const times = this.duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const p = this.#post(n, body).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  async #post(n: SimNumber, body: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await post(n.webhookUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": signWebhookBody(body, n.appSecret),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });

        if (res.ok) return;
        this.#log.warn({ status: res.status, url: n.webhookUrl }, "simulator webhook refused");
      } catch (err) {
        this.#log.debug({ err, url: n.webhookUrl }, "simulator webhook failed");
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }

  /** Resolves when every webhook in flight has been delivered (or given up). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
