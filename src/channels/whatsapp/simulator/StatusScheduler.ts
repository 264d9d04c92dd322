import type { SimulatorWebhooks } from "./SimulatorWebhooks.ts";
import type { SimFaults, SimMessage, SimNumber } from "./simulatorTypes.ts";

const digits = (p: string) => p.replace(/\D/g, "");

export interface StatusDelays {
  sentMs: number;
  deliveredMs: number;
  /** `null`: the phone never reads. */
  readMs: number | null;
}

/**
 * Plays the life of an accepted message as Meta reports it: `sent`, `delivered`, `read` status webhooks after the
 * configured delays — or one `failed` status carrying Meta's error, which is how Meta reports 131047, 131026 and
 * 131050 (the send itself was accepted). Honours the out-of-order and dropped-status faults.
 */
export class StatusScheduler {
  readonly #webhooks: SimulatorWebhooks;
  readonly #delays: StatusDelays;
  readonly #faults: () => SimFaults;
  readonly #changed: () => void;
  readonly #now: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(o: {
    webhooks: SimulatorWebhooks;
    delays: StatusDelays;
    faults: () => SimFaults;
    changed: () => void;
    now: () => number;
  }) {
    this.#webhooks = o.webhooks;
    this.#delays = o.delays;
    this.#faults = o.faults;
    this.#changed = o.changed;
    this.#now = o.now;
  }

  progress(n: SimNumber, msg: SimMessage, to: string, opaque: string | undefined, category: string): void {
    const { sentMs, deliveredMs, readMs } = this.#delays;
    const emit = (status: "sent" | "delivered" | "read") => {
      if (status === "delivered" && this.#faults().dropDelivered) return;
      const order = { sent: 1, delivered: 2, read: 3 } as const;
      if (msg.status === "failed" || order[status] > (order[msg.status as "sent"] ?? 0)) msg.status = status;
      this.#changed();
      this.#webhooks.deliver(
        n,
        this.#webhooks.status(n, { id: msg.id, status, to: digits(to), at: this.#now(), category, opaque }),
      );
    };
    const ooo = this.#faults().outOfOrder;
    this.#later(ooo ? (readMs ?? deliveredMs) + sentMs + 20 : sentMs, () => emit("sent"));
    this.#later(deliveredMs, () => emit("delivered"));
    if (readMs !== null) this.#later(readMs, () => emit("read"));
  }

  fail(
    n: SimNumber,
    msg: SimMessage,
    to: string,
    opaque: string | undefined,
    error: { code: number; title: string; details: string },
  ): void {
    this.#later(this.#delays.sentMs, () => {
      msg.status = "failed";
      msg.error = { code: error.code, title: error.title };
      this.#changed();
      const errors = [
        {
          code: error.code,
          title: error.title,
          message: error.title,
          error_data: { details: error.details },
          href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        },
      ];
      this.#webhooks.deliver(
        n,
        this.#webhooks.status(n, {
          id: msg.id,
          status: "failed",
          to: digits(to),
          at: this.#now(),
          errors,
          opaque,
        }),
      );
    });
  }

  cancelAll(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }
}
