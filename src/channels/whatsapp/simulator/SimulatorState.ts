import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Logger } from "pino";
import type { SimMessage, SimNumber, SimPhone, SimTemplate } from "./simulatorTypes.ts";

const digits = (p: string) => p.replace(/\D/g, "");

/**
 * What the simulator remembers: business numbers, templates, phones, each phone's chat with each number and when
 * the phone last wrote (the window). Optionally kept in a JSON file, written at most every 200 ms, so the
 * sandbox's chats survive a restart of `parley serve`.
 */
export class SimulatorState {
  numbers = new Map<string, SimNumber>();
  templates: SimTemplate[] = [];
  phones = new Map<string, SimPhone>();
  chats = new Map<string, SimMessage[]>();
  /** Last time each phone wrote to each number, keyed `phoneNumberId|+phone`. */
  lastInbound = new Map<string, number>();
  readonly #file: string | undefined;
  readonly #log: Logger;
  #saveTimer: NodeJS.Timeout | undefined;

  constructor(file: string | undefined, log: Logger) {
    this.#file = file;
    this.#log = log;
    this.#load();
  }

  upsertPhone(p: Partial<SimPhone> & { phone: string }): SimPhone {
    const phone = `+${digits(p.phone)}`;
    const next = {
      name: `Customer ${phone.slice(-4)}`,
      onWhatsApp: true,
      marketingOptOut: false,
      ...this.phones.get(phone),
      ...p,
      phone,
    };
    this.phones.set(phone, next);
    this.save();
    return next;
  }

  /** The chat between a number and a phone, created empty on first use. */
  chat(phoneNumberId: string, phone: string): SimMessage[] {
    const key = `${phoneNumberId}|${phone}`;
    const existing = this.chats.get(key);
    if (existing) return existing;
    const created: SimMessage[] = [];
    this.chats.set(key, created);
    return created;
  }

  /** The phone's chat(s) as the phone sees them, oldest first. */
  phoneMessages(phone: string, phoneNumberId?: string): SimMessage[] {
    const p = `+${digits(phone)}`;
    const out: SimMessage[] = [];
    for (const [key, msgs] of this.chats) {
      const [pnid, ph] = key.split("|");
      if (ph === p && (!phoneNumberId || pnid === phoneNumberId)) out.push(...msgs);
    }
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  save(): void {
    if (!this.#file || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#write();
    }, 200);
    this.#saveTimer.unref();
  }

  /** Writes a pending save now (on close). */
  flush(): void {
    if (!this.#saveTimer) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    this.#write();
  }

  #write(): void {
    if (!this.#file) return;
    const state = {
      numbers: [...this.numbers.values()],
      templates: this.templates,
      phones: [...this.phones.values()],
      chats: [...this.chats],
      lastInbound: [...this.lastInbound],
    };
    writeFileSync(this.#file, JSON.stringify(state));
  }

  #load(): void {
    const f = this.#file;
    if (!f || !existsSync(f)) return;
    try {
      const s = JSON.parse(readFileSync(f, "utf8"));
      this.numbers = new Map((s.numbers ?? []).map((n: SimNumber) => [n.phoneNumberId, n]));
      this.templates = s.templates ?? [];
      this.phones = new Map((s.phones ?? []).map((p: SimPhone) => [p.phone, p]));
      this.chats = new Map(s.chats ?? []);
      this.lastInbound = new Map(s.lastInbound ?? []);
    } catch (err) {
      this.#log.warn({ err, file: f }, "could not read the simulator's saved state; starting empty");
    }
  }
}
