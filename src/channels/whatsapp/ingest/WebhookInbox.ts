import { createHash } from "node:crypto";
import type { StoreContext } from "../../../store/storeContext.ts";

type Pending = { channelId: string | null; body: string; resolve: () => void; reject: (e: unknown) => void };

/**
 * Persists raw webhook deliveries before Parley answers Meta. Deliveries arriving together are written in one
 * transaction (group commit), which is what lets one SQLite file take thousands of webhooks a second while
 * still answering 200 only once the delivery is on disk. Identical bodies (Meta's retries) are stored once.
 */
export class WebhookInbox {
  readonly #store: StoreContext;
  #pending: Pending[] = [];
  #flushing = false;

  constructor(store: StoreContext) {
    this.#store = store;
  }

  accept(channelId: string | null, rawBody: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ channelId, body: rawBody.toString("utf8"), resolve, reject });
      if (!this.#flushing) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, 500);
        const now = this.#store.now();
        try {
          await this.#store.db.transaction().execute(async (tx) => {
            await tx
              .insertInto("webhook_deliveries")
              .values(
                batch.map((p) => ({
                  channel_id: p.channelId,
                  body_hash: createHash("sha256").update(p.body).digest("hex"),
                  body: p.body,
                  received_at: now,
                  processed_at: null,
                  attempts: 0,
                  error: null,
                })),
              )
              .onConflict((oc) => oc.column("body_hash").doNothing())
              .execute();
          });
          for (const p of batch) p.resolve();
          this.#store.bus.emit("webhooks.received");
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
