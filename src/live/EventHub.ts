import pg from "pg";
import type { Logger } from "pino";
import { Pump } from "../runtime/Pump.ts";
import type { EventRow } from "../store/databaseSchema.ts";
import { type EventCursor, eventOrder } from "../store/eventOrder.ts";
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

const PAGE = 1000;

/**
 * Fans the event log out to live subscribers (the SSE stream). It tails the `events` table, woken by local
 * commits, by PostgreSQL NOTIFY from other processes, and by a slow timer as a safety net, so every process
 * sees every workspace event no matter which process wrote it.
 *
 * On SQLite ids follow commits (one writer), so the high-water mark is enough. On PostgreSQL ids are taken at
 * insert but become visible at commit, so an event can appear below ids already sent, however far below (a slow
 * transaction under load). Each pass there sends what is newly visible at once, remembering it, and separately
 * walks a final cursor in (tx_id, id) order up to the oldest transaction still running: whatever that walk
 * finds and wasn't sent yet is an event that committed late, and it is sent then.
 */
export class EventHub {
  readonly #store: StoreContext;
  readonly #log: Logger;
  readonly #subs = new Set<Subscriber>();
  /** The highest id sent (or skipped as older than the subscriptions). */
  #lastId = 0;
  /** PostgreSQL: everything up to here in (tx_id, id) order has been sent, or was older than the subscriptions. */
  #final: EventCursor = { tx: 0, id: 0 };
  /** PostgreSQL: ids sent (or skipped) that the final cursor has not passed yet. */
  readonly #sent = new Set<number>();
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
    await this.#baseline();
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
    // Nobody was listening, so nothing was read meanwhile: what exists now is history, not news.
    if (this.#subs.size === 0) await this.#baseline();
    const sub = { workspaceId, send };
    if (afterId !== undefined) {
      const missed = await this.#store.db
        .selectFrom("events")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("id", ">", afterId)
        .where("id", "<=", this.#lastId)
        .orderBy("id")
        .limit(PAGE)
        .execute();
      for (const r of missed) send(toLive(r));
    }
    this.#subs.add(sub);
    return () => this.#subs.delete(sub);
  }

  /** Marks every event visible now as already handled. */
  async #baseline(): Promise<void> {
    const db = this.#store.db;
    const max = await db
      .selectFrom("events")
      .select((eb) => eb.fn.max("id").as("m"))
      .executeTakeFirst();
    this.#lastId = Math.max(this.#lastId, Number(max?.m ?? 0));
    if (this.#store.dialect !== "postgres") return;
    const horizon = await eventOrder.horizon(db);
    const last = await db
      .selectFrom("events")
      .select(["tx_id", "id"])
      .where("tx_id", "<", horizon)
      .orderBy("tx_id", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    this.#final = last ? { tx: Number(last.tx_id), id: Number(last.id) } : this.#final;
    // Visible events of transactions newer than the horizon: the final walk will meet them again.
    const ahead = await db.selectFrom("events").select("id").where("tx_id", ">=", horizon).execute();
    this.#sent.clear();
    for (const r of ahead) this.#sent.add(Number(r.id));
  }

  #send(r: EventRow): void {
    const e = toLive(r);
    for (const s of this.#subs) if (s.workspaceId === e.workspaceId) s.send(e);
  }

  /** Sends the events committed since the last pass to their workspace's subscribers. */
  async #pass(): Promise<boolean> {
    if (this.#subs.size === 0) return false;
    const db = this.#store.db;
    const postgres = this.#store.dialect === "postgres";
    let more = false;
    if (postgres) {
      const settled = await eventOrder
        .settled(eventOrder.after("postgres", db.selectFrom("events").selectAll(), this.#final))
        .limit(PAGE)
        .execute();
      for (const r of settled) {
        // Already sent when it became visible; the cursor passes it now, so it will not be met again.
        if (!this.#sent.delete(r.id)) this.#send(r);
        this.#lastId = Math.max(this.#lastId, r.id);
      }
      const last = settled.at(-1);
      if (last) this.#final = { tx: Number(last.tx_id), id: last.id };
      more = settled.length === PAGE;
    }
    const fresh = await db
      .selectFrom("events")
      .selectAll()
      .where("id", ">", this.#lastId)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    for (const r of fresh) {
      this.#lastId = r.id;
      if (postgres) {
        // The final walk has passed it (and sent it) already.
        const { tx, id } = this.#final;
        if (r.tx_id < tx || (r.tx_id === tx && r.id <= id)) continue;
        this.#sent.add(r.id);
      }
      this.#send(r);
    }
    return more || fresh.length === PAGE;
  }
}
