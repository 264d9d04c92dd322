import { GroupCommit } from "../../../store/GroupCommit.ts";
import type { StoreContext } from "../../../store/storeContext.ts";
import { insertDeliveries } from "./insertDeliveries.ts";
import type { SpooledDelivery } from "./spoolFrames.ts";

/**
 * Persists raw webhook deliveries before Parley answers Meta (PostgreSQL, and SQLite without the webhook
 * thread). Deliveries arriving in the same turn of the event loop are written in one transaction (group commit),
 * which is what lets one database take thousands of webhooks a second while still answering 200 only once the
 * delivery is committed. Identical bodies (Meta's retries) are stored once. WebhookProcessor processes them after.
 */
export class WebhookInbox {
  readonly #store: StoreContext;
  readonly #commits: GroupCommit<SpooledDelivery, void>;

  constructor(store: StoreContext) {
    this.#store = store;
    this.#commits = new GroupCommit({
      commitBatch: async (batch) => {
        await store.db.transaction().execute((tx) => insertDeliveries(store, tx, batch, null));
        store.bus.emit("webhooks.received");
        return batch.map(() => undefined);
      },
    });
  }

  accept(channelId: string | null, rawBody: Buffer): Promise<void> {
    return this.#commits.submit({ channelId, body: rawBody.toString("utf8"), receivedAt: this.#store.now() });
  }
}
