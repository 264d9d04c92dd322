import { GroupCommit } from "../../../store/GroupCommit.ts";
import type { StoreContext } from "../../../store/storeContext.ts";
import { deliveryKey } from "./deliveryKey.ts";

type Row = {
  channel_id: string | null;
  body_hash: string;
  body: string;
  received_at: number;
  processed_at: null;
  attempts: number;
  error: null;
};

/** Rows per multi-row INSERT on PostgreSQL: far below its bound-parameter limit. */
const CHUNK = 500;

const INSERT_SQLITE = `insert into webhook_deliveries (channel_id, body_hash, body, received_at, processed_at, attempts, error)
  values (?, ?, ?, ?, null, 0, null) on conflict (body_hash) do nothing`;

/**
 * Persists raw webhook deliveries before Parley answers Meta. Deliveries arriving in the same turn of the event
 * loop are written in one transaction (group commit), which is what lets one SQLite file take thousands of
 * webhooks a second while still answering 200 only once the delivery is committed. Identical bodies (Meta's
 * retries) are stored once. On SQLite the rows go through one prepared statement run synchronously while
 * holding the connection: building the multi-row INSERT through Kysely cost more than writing it.
 */
export class WebhookInbox {
  readonly #store: StoreContext;
  readonly #commits: GroupCommit<{ channelId: string | null; body: string }, void>;
  #insertStmt: { run(...params: unknown[]): unknown } | undefined;

  constructor(store: StoreContext) {
    this.#store = store;
    this.#commits = new GroupCommit({
      commitBatch: async (batch) => {
        const now = store.now();
        const rows: Row[] = batch.map((p) => ({
          channel_id: p.channelId,
          body_hash: deliveryKey(p.body),
          body: p.body,
          received_at: now,
          processed_at: null,
          attempts: 0,
          error: null,
        }));
        await this.#insert(rows);
        store.bus.emit("webhooks.received");
        return batch.map(() => undefined);
      },
    });
  }

  accept(channelId: string | null, rawBody: Buffer): Promise<void> {
    return this.#commits.submit({ channelId, body: rawBody.toString("utf8") });
  }

  async #insert(rows: Row[]): Promise<void> {
    const sqlite = this.#store.database.sqlite;
    if (sqlite) {
      // Holding Kysely's one connection: no other transaction is open on it while this runs.
      await this.#store.db.connection().execute(async () => {
        this.#insertStmt ??= sqlite.prepare(INSERT_SQLITE);
        const insert = this.#insertStmt;
        sqlite.transaction(() => {
          for (const r of rows) insert.run(r.channel_id, r.body_hash, r.body, r.received_at);
        })();
      });
      return;
    }
    await this.#store.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += CHUNK)
        await tx
          .insertInto("webhook_deliveries")
          .values(rows.slice(i, i + CHUNK))
          .onConflict((oc) => oc.column("body_hash").doNothing())
          .execute();
    });
  }
}
