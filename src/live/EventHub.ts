import pg from "pg";
import type { Logger } from "pino";
import { Pump } from "../runtime/Pump.ts";
import type { EventRow } from "../store/databaseSchema.ts";
import type { StoreContext } from "../store/storeContext.ts";

export interface LiveEvent {
  id: number;
  type: string;
  workspaceId: string;
  contactId: string | null;
  conversationId: string | null;
  at: number;
  payload: Record<string, unknown>;
}

type Subscriber = { workspaceId: string; send: (e: LiveEvent) => void };

const toLive = (r: EventRow): LiveEvent => ({
  id: r.id,
  type: r.type,
  workspaceId: r.workspace_id,
  contactId: r.contact_id,
  conversationId: r.conversation_id,
  at: r.created_at,
  payload: JSON.parse(r.payload),
});

const LOOKBACK = 256;

/**
 * Fans the event log out to live subscribers (the SSE stream). It tails the `events` table, woken by local
 * commits, by PostgreSQL NOTIFY from other processes, and by a slow timer as a safety net, so every process
 * sees every workspace event no matter which process wrote it.
 */
export class EventHub {
  readonly #store: StoreContext;
  readonly #log: Logger;
  readonly #subs = new Set<Subscriber>();
  #lastId = 0;
  /** PostgreSQL only: ids already sent within the look-back window (see #pass). */
  readonly #seen = new Set<number>();
  /** Events up to here existed before anyone subscribed; they are never sent live. */
  #floor = 0;
  #listener: pg.Client | undefined;
  readonly #pump: Pump;

  constructor(store: StoreContext, log: Logger) {
    this.#store = store;
    this.#log = log.child({ component: "event-hub" });
    this.#pump = new Pump({
      pass: () => this.#pass(),
      onError: (err) => this.#log.warn({ err }, "could not read new events"),
      bus: store.bus,
      intervalMs: 1000,
      // Live subscribers should see a commit as soon as it lands, not a turn later.
      coalesce: false,
    });
  }

  async start(): Promise<void> {
    this.#lastId = await this.#maxId();
    this.#floor = this.#lastId;
    this.#pump.start();
    const url = this.#store.database.url;
    if (url) {
      const client = new pg.Client({ connectionString: url });
      client.on("error", (err) => this.#log.warn({ err }, "event listener connection failed"));
      client.on("notification", this.#pump.wake);
      await client.connect();
      await client.query("LISTEN parley_events");
      this.#listener = client;
    }
  }

  async stop(): Promise<void> {
    await this.#pump.stop();
    await this.#listener?.end().catch(() => {});
    this.#subs.clear();
  }

  /** Subscribes to a workspace's events; with `afterId`, first replays what was missed (SSE Last-Event-ID). */
  async subscribe(workspaceId: string, send: (e: LiveEvent) => void, afterId?: number): Promise<() => void> {
    if (this.#subs.size === 0) {
      this.#lastId = Math.max(this.#lastId, await this.#maxId());
      this.#floor = this.#lastId;
    }
    const sub = { workspaceId, send };
    if (afterId !== undefined) {
      const missed = await this.#store.db
        .selectFrom("events")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("id", ">", afterId)
        .where("id", "<=", this.#lastId)
        .orderBy("id")
        .limit(1000)
        .execute();
      for (const r of missed) send(toLive(r));
    }
    this.#subs.add(sub);
    return () => this.#subs.delete(sub);
  }

  async #maxId(): Promise<number> {
    const row = await this.#store.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("id").as("m"))
      .executeTakeFirst();
    return Number(row?.m ?? 0);
  }

  /** Sends the events committed since the last pass to their workspace's subscribers. */
  async #pass(): Promise<boolean> {
    if (this.#subs.size === 0) return false;
    // On PostgreSQL ids are taken at insert but become visible at commit, so a lower id can appear after a
    // higher one was read: re-read a window behind the high-water mark and skip what was already sent.
    const lookback = this.#store.dialect === "postgres" ? LOOKBACK : 0;
    const rows = await this.#store.db
      .selectFrom("events")
      .selectAll()
      .where("id", ">", this.#lastId - lookback)
      .orderBy("id")
      .limit(1000 + lookback)
      .execute();
    for (const r of rows) {
      if (r.id <= this.#floor) continue;
      if (lookback > 0) {
        if (this.#seen.has(r.id)) continue;
        this.#seen.add(r.id);
      } else if (r.id <= this.#lastId) continue;
      this.#lastId = Math.max(this.#lastId, r.id);
      const e = toLive(r);
      for (const s of this.#subs) if (s.workspaceId === e.workspaceId) s.send(e);
    }
    for (const id of this.#seen) if (id <= this.#lastId - lookback) this.#seen.delete(id);
    return rows.length === 1000 + lookback;
  }
}
