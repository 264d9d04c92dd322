import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Logger } from "pino";
import { graphMarkReadSchema, graphSendMessageSchema } from "../graph/graphMessageSchema.ts";
import { graphErrorBody, graphErrorStatus } from "./graphErrorBody.ts";
import { renderFreeForm, renderTemplate, templatePlaceholders } from "./renderForPhone.ts";
import { SimulatorStats } from "./SimulatorStats.ts";
import { SimulatorWebhooks } from "./SimulatorWebhooks.ts";
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

/** A customer action the simulator cannot perform (unknown number, nothing to tap). */
export class SimulatorError extends Error {
  override name = "SimulatorError";
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
  #numbers = new Map<string, SimNumber>();
  #templates: SimTemplate[] = [];
  #phones = new Map<string, SimPhone>();
  #chats = new Map<string, SimMessage[]>();
  /** Last time each phone wrote to each number (the customer service window). */
  #lastInbound = new Map<string, number>();
  #buckets = new Map<string, { tokens: number; at: number }>();
  #timers = new Set<NodeJS.Timeout>();
  #saveTimer: NodeJS.Timeout | undefined;

  constructor(opts: SimulatorOptions) {
    this.#opts = {
      ...opts,
      delays: opts.delays ?? { sentMs: 50, deliveredMs: 300, readMs: 1200 },
      pair: opts.pair ?? { rate: 1 / 6, burst: 45 },
    };
    this.#log = opts.log.child({ component: "simulator" });
    this.webhooks = new SimulatorWebhooks(this.#log);
    this.#load();
  }

  now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  // ---- state -------------------------------------------------------------------------------------------

  registerNumber(n: Omit<SimNumber, "mps"> & { mps?: number }): SimNumber {
    const prev = this.#numbers.get(n.phoneNumberId);
    const full: SimNumber = { ...prev, ...n, mps: n.mps ?? prev?.mps ?? 80 };
    this.#numbers.set(n.phoneNumberId, full);
    this.#save();
    return full;
  }

  numbers(): SimNumber[] {
    return [...this.#numbers.values()];
  }

  upsertTemplate(t: Omit<SimTemplate, "id"> & { id?: string }): SimTemplate {
    const i = this.#templates.findIndex(
      (x) => x.wabaId === t.wabaId && x.name === t.name && x.language === t.language,
    );
    const prev = i >= 0 ? this.#templates[i] : undefined;
    const next: SimTemplate = {
      ...t,
      id: t.id ?? prev?.id ?? String(1_000_000_000 + Math.floor(Math.random() * 1e9)),
    };
    if (i >= 0) this.#templates[i] = next;
    else this.#templates.push(next);
    if (prev && prev.status !== next.status) {
      for (const n of this.#numbers.values()) {
        if (n.wabaId !== t.wabaId) continue;
        this.webhooks.deliver(n, {
          object: "whatsapp_business_account",
          entry: [
            {
              id: n.wabaId,
              time: Math.floor(this.now() / 1000),
              changes: [
                {
                  field: "message_template_status_update",
                  value: {
                    event: next.status,
                    message_template_id: Number(next.id),
                    message_template_name: next.name,
                    message_template_language: next.language,
                    reason: "NONE",
                    message_template_category: next.category,
                  },
                },
              ],
            },
          ],
        });
        break;
      }
    }
    this.#save();
    return next;
  }

  templates(wabaId: string): SimTemplate[] {
    return this.#templates.filter((t) => t.wabaId === wabaId);
  }

  upsertPhone(p: Partial<SimPhone> & { phone: string }): SimPhone {
    const phone = `+${digits(p.phone)}`;
    const next = {
      name: `Customer ${phone.slice(-4)}`,
      onWhatsApp: true,
      marketingOptOut: false,
      ...this.#phones.get(phone),
      ...p,
      phone,
    };
    this.#phones.set(phone, next);
    this.#save();
    return next;
  }

  phones(): SimPhone[] {
    return [...this.#phones.values()];
  }

  /** The phone's chat(s) as the phone sees them, oldest first. */
  phoneMessages(phone: string, phoneNumberId?: string): SimMessage[] {
    const p = `+${digits(phone)}`;
    const out: SimMessage[] = [];
    for (const [key, msgs] of this.#chats) {
      const [pnid, ph] = key.split("|");
      if (ph === p && (!phoneNumberId || pnid === phoneNumberId)) out.push(...msgs);
    }
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  reset(): void {
    this.faults = noFaults();
    this.webhooks.duplicate = false;
    this.#buckets.clear();
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#saveTimer) {
      clearTimeout(this.#saveTimer);
      this.#writeFile();
    }
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
    const n = this.#numbers.get(phoneNumberId);
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
      const t = this.#templates.find(
        (x) => x.wabaId === n.wabaId && x.name === m.template.name && x.language === m.template.language.code,
      );
      if (!t || t.status === "REJECTED" || t.status === "PENDING") {
        return this.#error(
          132001,
          "Template name does not exist in the translation",
          `template name (${m.template.name}) does not exist in ${m.template.language.code}`,
        );
      }
      if (t.status === "PAUSED")
        return this.#error(132015, "Template is paused", "Template is paused due to low quality");
      if (t.status === "DISABLED")
        return this.#error(132016, "Template has been disabled", "Template is disabled due to low quality");
      const expected = templatePlaceholders(t);
      const params = m.template.components?.find((c) => c.type === "body")?.parameters ?? [];
      if (params.length !== expected.length) {
        return this.#error(
          132000,
          "Number of parameters does not match the expected number of params",
          `body: number of localizable_params (${params.length}) does not match the expected number of params (${expected.length})`,
        );
      }
      rendered = renderTemplate(
        t,
        params.map((p) => p.text ?? ""),
        expected,
      );
    } else {
      rendered = renderFreeForm(m);
    }
    const id = wamid();
    const phone = this.#phones.get(to) ?? this.upsertPhone({ phone: to });
    const msg: SimMessage = {
      id,
      phoneNumberId,
      direction: "in",
      type: m.type,
      ...rendered,
      status: "sent",
      timestamp: this.now(),
    };
    this.#chat(phoneNumberId, to).push(msg);
    this.#save();
    const opaque = m.biz_opaque_callback_data;
    const windowOpen = this.now() - (this.#lastInbound.get(`${phoneNumberId}|${to}`) ?? 0) < WINDOW_MS;
    if (!phone.onWhatsApp) {
      this.#failLater(
        n,
        msg,
        to,
        opaque,
        131026,
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: The recipient phone number is not a WhatsApp phone number.",
      );
    } else if (m.type !== "template" && !windowOpen) {
      this.#failLater(
        n,
        msg,
        to,
        opaque,
        131047,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      );
    } else if (m.type === "template" && rendered.category === "marketing" && phone.marketingOptOut) {
      this.#failLater(
        n,
        msg,
        to,
        opaque,
        131050,
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
        "The user has stopped marketing messages.",
      );
    } else {
      this.#progress(n, msg, to, opaque, rendered.category ?? (windowOpen ? "service" : "utility"));
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
    const all = this.templates(wabaId);
    const start = after ? Number(Buffer.from(after, "base64url").toString()) || 0 : 0;
    const page = all.slice(start, start + limit);
    const next =
      start + limit < all.length ? Buffer.from(String(start + limit)).toString("base64url") : undefined;
    return {
      data: page.map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        components: t.components,
      })),
      paging: {
        cursors: { before: Buffer.from(String(start)).toString("base64url"), after: next ?? "" },
        ...(next ? { next: `?limit=${limit}&after=${next}` } : {}),
      },
    };
  }

  #markRead(n: SimNumber, raw: unknown): GraphReply {
    const parsed = graphMarkReadSchema.safeParse(raw);
    if (!parsed.success)
      return this.#error(100, "Invalid parameter", parsed.error.issues[0]?.message ?? "invalid");
    for (const [key, msgs] of this.#chats) {
      if (!key.startsWith(`${n.phoneNumberId}|`)) continue;
      const m = msgs.find((x) => x.id === parsed.data.message_id && x.direction === "out");
      if (m) {
        m.status = "read";
        this.#save();
        return { status: 200, body: { success: true } };
      }
    }
    return this.#error(131009, "Parameter value is not valid", "Message ID is not valid");
  }

  // ---- the customer -------------------------------------------------------------------------------------

  /**
   * The phone writes to the business: a text, or a tap on a button / list row of the last interactive (or
   * template quick-reply) message the business sent. Delivers the inbound webhook and opens the window.
   */
  customerSays(o: {
    phoneNumberId?: string;
    phone: string;
    text?: string;
    reply?: { id: string };
    name?: string;
  }): { id: string } {
    const n = o.phoneNumberId ? this.#numbers.get(o.phoneNumberId) : this.#numbers.values().next().value;
    if (!n) throw new SimulatorError(`no business number ${o.phoneNumberId ?? "(none registered)"}`);
    const phone = this.upsertPhone({ phone: o.phone, ...(o.name ? { name: o.name } : {}) });
    const chat = this.#chat(n.phoneNumberId, phone.phone);
    const id = wamid();
    const at = this.now();
    let message: Record<string, unknown>;
    let simMsg: SimMessage;
    if (o.reply) {
      const last = [...chat].reverse().find((m) => m.direction === "in" && m.options?.length);
      const opt = last?.options?.find((x) => x.id === o.reply?.id || x.title === o.reply?.id);
      if (!last || !opt) {
        const offered = last?.options?.map((x) => x.id).join(", ");
        throw new SimulatorError(
          offered
            ? `no option "${o.reply.id}" on the last message; it offers: ${offered}`
            : "the business has sent no buttons or list to tap",
        );
      }
      const context = { from: n.displayPhoneNumber.replace(/\D/g, ""), id: last.id };
      message =
        opt.kind === "quick_reply"
          ? { context, type: "button", button: { payload: opt.id, text: opt.title } }
          : {
              context,
              type: "interactive",
              interactive: {
                type: opt.kind,
                [opt.kind]: {
                  id: opt.id,
                  title: opt.title,
                  ...(opt.description ? { description: opt.description } : {}),
                },
              },
            };
      simMsg = {
        id,
        phoneNumberId: n.phoneNumberId,
        direction: "out",
        type: String(message.type),
        text: opt.title,
        status: "received",
        timestamp: at,
      };
    } else {
      const text = (o.text ?? "").trim();
      if (!text) throw new SimulatorError("give text or reply");
      message = { type: "text", text: { body: text } };
      simMsg = {
        id,
        phoneNumberId: n.phoneNumberId,
        direction: "out",
        type: "text",
        text,
        status: "received",
        timestamp: at,
      };
    }
    chat.push(simMsg);
    this.#lastInbound.set(`${n.phoneNumberId}|${phone.phone}`, at);
    this.#save();
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
    const n = o.phoneNumberId ? this.#numbers.get(o.phoneNumberId) : this.#numbers.values().next().value;
    if (!n) throw new SimulatorError("no business number registered");
    const phone = this.upsertPhone({ phone: o.phone, marketingOptOut: o.value === "stop" });
    const wa = digits(phone.phone);
    this.webhooks.deliver(
      n,
      this.webhooks.envelope(
        n,
        {
          contacts: [{ profile: { name: phone.name }, wa_id: wa }],
          user_preferences: [
            {
              wa_id: wa,
              detail: `User requested to ${o.value} marketing messages`,
              category: "marketing_messages",
              value: o.value,
              timestamp: Math.floor(this.now() / 1000),
            },
          ],
        },
        "user_preferences",
      ),
    );
  }

  #chat(phoneNumberId: string, phone: string): SimMessage[] {
    const key = `${phoneNumberId}|${phone}`;
    const existing = this.#chats.get(key);
    if (existing) return existing;
    const created: SimMessage[] = [];
    this.#chats.set(key, created);
    return created;
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

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #progress(n: SimNumber, msg: SimMessage, to: string, opaque: string | undefined, category: string): void {
    const { sentMs, deliveredMs, readMs } = this.#opts.delays;
    const emit = (status: "sent" | "delivered" | "read") => {
      if (status === "delivered" && this.faults.dropDelivered) return;
      const order = { sent: 1, delivered: 2, read: 3 } as const;
      if (msg.status === "failed" || order[status] > (order[msg.status as "sent"] ?? 0)) msg.status = status;
      this.#save();
      this.webhooks.deliver(
        n,
        this.webhooks.status(n, { id: msg.id, status, to: digits(to), at: this.now(), category, opaque }),
      );
    };
    const ooo = this.faults.outOfOrder;
    this.#later(ooo ? (readMs ?? deliveredMs) + sentMs + 20 : sentMs, () => emit("sent"));
    this.#later(deliveredMs, () => emit("delivered"));
    if (readMs !== null) this.#later(readMs, () => emit("read"));
  }

  #failLater(
    n: SimNumber,
    msg: SimMessage,
    to: string,
    opaque: string | undefined,
    code: number,
    title: string,
    details: string,
  ): void {
    this.#later(this.#opts.delays.sentMs, () => {
      msg.status = "failed";
      msg.error = { code, title };
      this.#save();
      const errors = [
        {
          code,
          title,
          message: title,
          error_data: { details },
          href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        },
      ];
      this.webhooks.deliver(
        n,
        this.webhooks.status(n, {
          id: msg.id,
          status: "failed",
          to: digits(to),
          at: this.now(),
          errors,
          opaque,
        }),
      );
    });
  }

  #error(code: number, title: string, details: string): GraphReply {
    return { status: graphErrorStatus(code), body: graphErrorBody(code, title, details) };
  }

  #save(): void {
    if (!this.#opts.persistFile || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#writeFile();
    }, 200);
    this.#saveTimer.unref();
  }

  #writeFile(): void {
    if (!this.#opts.persistFile) return;
    const state = {
      numbers: [...this.#numbers.values()],
      templates: this.#templates,
      phones: [...this.#phones.values()],
      chats: [...this.#chats],
      lastInbound: [...this.#lastInbound],
    };
    writeFileSync(this.#opts.persistFile, JSON.stringify(state));
  }

  #load(): void {
    const f = this.#opts.persistFile;
    if (!f || !existsSync(f)) return;
    try {
      const s = JSON.parse(readFileSync(f, "utf8"));
      this.#numbers = new Map((s.numbers ?? []).map((n: SimNumber) => [n.phoneNumberId, n]));
      this.#templates = s.templates ?? [];
      this.#phones = new Map((s.phones ?? []).map((p: SimPhone) => [p.phone, p]));
      this.#chats = new Map(s.chats ?? []);
      this.#lastInbound = new Map(s.lastInbound ?? []);
    } catch (err) {
      this.#log.warn({ err, file: f }, "could not read the simulator's saved state; starting empty");
    }
  }
}
