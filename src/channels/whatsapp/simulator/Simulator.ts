import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { graphMarkReadSchema, graphSendMessageSchema } from "../graph/graphMessageSchema.ts";
import { customerMessage } from "./customerMessage.ts";
import { DELIVERY_FAILURES as FAILURES } from "./deliveryFailures.ts";
import { graphErrorBody, graphErrorStatus } from "./graphErrorBody.ts";
import { renderFreeForm } from "./renderForPhone.ts";
import { SimulatorError } from "./SimulatorError.ts";
import { SimulatorState } from "./SimulatorState.ts";
import { SimulatorStats } from "./SimulatorStats.ts";
import { SimulatorWebhooks } from "./SimulatorWebhooks.ts";
import { StatusScheduler } from "./StatusScheduler.ts";
import { simulatorTemplates } from "./simulatorTemplates.ts";
import {
  noFaults,
  type SimFaults,
  type SimMessage,
  type SimNumber,
  type SimPhone,
  type SimTemplate,
} from "./simulatorTypes.ts";

export interface SimulatorOptions {
  log: Logger;
  /** Delays of the status webhooks after an accepted send; `readMs: null` = the phone never reads. */
  delays?: { sentMs: number; deliveredMs: number; readMs: number | null };
  /** Per recipient: sustained rate (msg/s) and burst, like Meta's pair rate limit. */
  pair?: { rate: number; burst: number };
  /** Keep state in this JSON file so chats survive a restart. */
  persistFile?: string;
  now?: () => number;
}

export interface GraphReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Never answer (fault injection: timeout). */
  hang?: boolean;
}

const WINDOW_MS = 24 * 3600_000;
const wamid = () => `wamid.${randomBytes(24).toString("base64url")}`;
const digits = (p: string) => p.replace(/\D/g, "");

/**
 * A stand-in for Meta's WhatsApp Cloud API: it accepts the same requests, answers with the same success and
 * error bodies, enforces the same rules (window, templates, throughput, pair rate, unknown numbers), and sends
 * signed webhooks to the business exactly as Meta would. It also plays the customer: phones that write,
 * tap buttons and read messages.
 */
export class Simulator {
  readonly webhooks: SimulatorWebhooks;
  readonly stats = new SimulatorStats();
  faults: SimFaults = noFaults();
  readonly #log: Logger;
  readonly #opts: Required<Pick<SimulatorOptions, "delays" | "pair">> & SimulatorOptions;
  readonly #state: SimulatorState;
  #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #statuses: StatusScheduler;

  constructor(opts: SimulatorOptions) {
    this.#opts = {
      ...opts,
      delays: opts.delays ?? { sentMs: 50, deliveredMs: 300, readMs: 1200 },
      pair: opts.pair ?? { rate: 1 / 6, burst: 45 },
    };
    this.#log = opts.log.child({ component: "simulator" });
    this.webhooks = new SimulatorWebhooks(this.#log);
    this.#state = new SimulatorState(opts.persistFile, this.#log);
    this.#statuses = new StatusScheduler({
      webhooks: this.webhooks,
      delays: this.#opts.delays,
      faults: () => this.faults,
      changed: () => this.#state.save(),
      now: () => this.now(),
    });
  }

  now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  // ---- state -------------------------------------------------------------------------------------------

  registerNumber(n: Omit<SimNumber, "mps"> & { mps?: number }): SimNumber {
    const prev = this.#state.numbers.get(n.phoneNumberId);
    const full: SimNumber = { ...prev, ...n, mps: n.mps ?? prev?.mps ?? 80 };
    this.#state.numbers.set(n.phoneNumberId, full);
    this.#state.save();
    return full;
  }

  numbers(): SimNumber[] {
    return [...this.#state.numbers.values()];
  }

  upsertTemplate(t: Omit<SimTemplate, "id"> & { id?: string }): SimTemplate {
    const i = this.#state.templates.findIndex(
      (x) => x.wabaId === t.wabaId && x.name === t.name && x.language === t.language,
    );
    const prev = i >= 0 ? this.#state.templates[i] : undefined;
    const next: SimTemplate = {
      ...t,
      id: t.id ?? prev?.id ?? String(1_000_000_000 + Math.floor(Math.random() * 1e9)),
    };
    if (i >= 0) this.#state.templates[i] = next;
    else this.#state.templates.push(next);
    if (prev && prev.status !== next.status) {
      const n = [...this.#state.numbers.values()].find((x) => x.wabaId === t.wabaId);
      if (n) this.webhooks.deliver(n, simulatorTemplates.statusWebhook(n, next, this.now()));
    }
    this.#state.save();
    return next;
  }

  templates(wabaId: string): SimTemplate[] {
    return this.#state.templates.filter((t) => t.wabaId === wabaId);
  }

  upsertPhone(p: Partial<SimPhone> & { phone: string }): SimPhone {
    return this.#state.upsertPhone(p);
  }

  phones(): SimPhone[] {
    return [...this.#state.phones.values()];
  }

  /** The phone's chat(s) as the phone sees them, oldest first. */
  phoneMessages(phone: string, phoneNumberId?: string): SimMessage[] {
    return this.#state.phoneMessages(phone, phoneNumberId);
  }

  reset(): void {
    this.faults = noFaults();
    this.webhooks.duplicate = false;
    this.#buckets.clear();
  }

  async close(): Promise<void> {
    this.#statuses.cancelAll();
    this.#state.flush();
    await this.webhooks.settle();
  }

  // ---- the Graph API ------------------------------------------------------------------------------------

  send(phoneNumberId: string, authorization: string | undefined, raw: unknown): GraphReply {
    const reply = this.#send(phoneNumberId, authorization, raw);
    const code = (reply.body as { error?: { code?: unknown } } | null)?.error?.code;
    if (reply.status === 200) this.stats.accepted(phoneNumberId, this.now());
    else if (typeof code === "number") this.stats.error(code);
    return reply;
  }

  #send(phoneNumberId: string, authorization: string | undefined, raw: unknown): GraphReply {
    const n = this.#state.numbers.get(phoneNumberId);
    if (!n)
      return this.#error(
        100,
        "Invalid parameter",
        `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`,
      );
    if (this.faults.badToken > 0) {
      this.faults.badToken--;
      return this.#error(
        190,
        "Invalid OAuth access token",
        "Invalid OAuth access token - Cannot parse access token",
      );
    }
    if (authorization !== `Bearer ${n.accessToken}`)
      return this.#error(190, "Invalid OAuth access token", "Error validating access token");
    if (this.faults.timeout > 0) {
      this.faults.timeout--;
      return { status: 0, body: null, hang: true };
    }
    if (this.faults.http500 > 0) {
      this.faults.http500--;
      return this.#error(131000, "Something went wrong", "Something went wrong. Please retry later.");
    }
    if (raw && typeof raw === "object" && "status" in raw && (raw as { status?: unknown }).status === "read")
      return this.#markRead(n, raw);
    const parsed = graphSendMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join(".") || "body";
      return this.#error(131009, "Parameter value is not valid", `${where}: ${issue?.message ?? "invalid"}`);
    }
    const m = parsed.data;
    if (!this.#take(`mps:${n.phoneNumberId}`, n.mps, n.mps)) {
      return {
        ...this.#error(130429, "Rate limit hit", "Cloud API message throughput has been reached."),
        headers: { "retry-after": "1" },
      };
    }
    const to = `+${digits(m.to)}`;
    if (!this.#take(`pair:${n.phoneNumberId}:${to}`, this.#opts.pair.rate, this.#opts.pair.burst)) {
      return this.#error(
        131056,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from this phone number to the same phone number in a short period of time.",
      );
    }
    let rendered: { text: string; templateName?: string; options?: SimMessage["options"]; category?: string };
    if (m.type === "template") {
      const checked = simulatorTemplates.check(this.#state.templates, n.wabaId, m.template);
      if (!checked.ok) return this.#error(checked.code, checked.title, checked.details);
      rendered = checked.rendered;
    } else {
      rendered = renderFreeForm(m);
    }
    const id = wamid();
    const phone = this.#state.phones.get(to) ?? this.upsertPhone({ phone: to });
    const msg: SimMessage = {
      id,
      phoneNumberId,
      direction: "in",
      type: m.type,
      ...rendered,
      status: "sent",
      timestamp: this.now(),
    };
    this.#state.chat(phoneNumberId, to).push(msg);
    this.#state.save();
    const opaque = m.biz_opaque_callback_data;
    const windowOpen = this.now() - (this.#state.lastInbound.get(`${phoneNumberId}|${to}`) ?? 0) < WINDOW_MS;
    const failure = !phone.onWhatsApp
      ? FAILURES.notOnWhatsApp
      : m.type !== "template" && !windowOpen
        ? FAILURES.windowClosed
        : m.type === "template" && rendered.category === "marketing" && phone.marketingOptOut
          ? FAILURES.marketingStopped
          : null;
    // Meta accepts these sends and reports the failure later, as a `failed` status webhook.
    if (failure) {
      this.#statuses.fail(n, msg, to, opaque, failure);
    } else {
      this.#statuses.progress(n, msg, to, opaque, rendered.category ?? (windowOpen ? "service" : "utility"));
    }
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: m.to, wa_id: digits(m.to) }],
        messages: [{ id, message_status: "accepted" }],
      },
    };
  }

  listTemplates(wabaId: string, limit: number, after?: string) {
    return simulatorTemplates.page(this.templates(wabaId), limit, after);
  }

  #markRead(n: SimNumber, raw: unknown): GraphReply {
    const parsed = graphMarkReadSchema.safeParse(raw);
    if (!parsed.success)
      return this.#error(100, "Invalid parameter", parsed.error.issues[0]?.message ?? "invalid");
    for (const [key, msgs] of this.#state.chats) {
      if (!key.startsWith(`${n.phoneNumberId}|`)) continue;
      const m = msgs.find((x) => x.id === parsed.data.message_id && x.direction === "out");
      if (m) {
        m.status = "read";
        this.#state.save();
        return { status: 200, body: { success: true } };
      }
    }
    return this.#error(131009, "Parameter value is not valid", "Message ID is not valid");
  }

  // ---- the customer -------------------------------------------------------------------------------------

  /**
   * The phone writes to the business: a text, or a tap on a button / list row of the last interactive (or
   * template quick-reply) message the business sent (or of the `quote`d one, which a text quotes). Delivers the
   * inbound webhook and opens the window.
   */
  customerSays(o: {
    phoneNumberId?: string;
    phone: string;
    text?: string;
    reply?: { id: string };
    /** The wamid of a business message on the phone that this replies to (WhatsApp's `context.id`). */
    quote?: string;
    name?: string;
  }): { id: string } {
    const n = this.#number(o.phoneNumberId);
    const phone = this.upsertPhone({ phone: o.phone, ...(o.name ? { name: o.name } : {}) });
    const chat = this.#state.chat(n.phoneNumberId, phone.phone);
    const id = wamid();
    const at = this.now();
    const { message, simMsg } = customerMessage(n, chat, o, id, at);
    chat.push(simMsg);
    this.#state.lastInbound.set(`${n.phoneNumberId}|${phone.phone}`, at);
    this.#state.save();
    const wa = digits(phone.phone);
    this.webhooks.deliver(
      n,
      this.webhooks.envelope(n, {
        contacts: [{ profile: { name: phone.name }, wa_id: wa }],
        messages: [{ from: wa, id, timestamp: String(Math.floor(at / 1000)), ...message }],
      }),
    );
    return { id };
  }

  /** The user stops or resumes marketing messages inside WhatsApp (Meta's `user_preferences` webhook). */
  setMarketingPreference(o: { phoneNumberId?: string; phone: string; value: "stop" | "resume" }): void {
    const n = this.#number(o.phoneNumberId);
    const phone = this.upsertPhone({ phone: o.phone, marketingOptOut: o.value === "stop" });
    this.webhooks.deliver(n, this.webhooks.userPreference(n, phone, o.value, this.now()));
  }

  /** The given business number, or the first one registered (the sandbox has one). */
  #number(phoneNumberId?: string): SimNumber {
    const n = phoneNumberId
      ? this.#state.numbers.get(phoneNumberId)
      : this.#state.numbers.values().next().value;
    if (!n) throw new SimulatorError(`no business number ${phoneNumberId ?? "(none registered)"}`);
    return n;
  }

  #take(key: string, rate: number, burst: number): boolean {
    const now = this.now();
    const b = this.#buckets.get(key) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return false;
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    return true;
  }

  #error(code: number, title: string, details: string): GraphReply {
    return { status: graphErrorStatus(code), body: graphErrorBody(code, title, details) };
  }
}
