import pg from "pg";
import type { Logger } from "pino";
import { Pump } from "../runtime/Pump.ts";
import type { EventRow } from "../store/databaseSchema.ts";
import { type EventCursor, eventOrder } from "../store/eventOrder.ts";
import type { Db, StoreContext } from "../store/storeContext.ts";
import { type ResumeToken, resumeToken } from "./resumeToken.ts";

export interface LiveEvent {
  id: number;
  type: string;
  workspaceId: string;
  contactId: string | null;
  conversationId: string | null;
  at: number;
  payload: Record<string, unknown>;
  /** Where a stream that ended here resumes from (the SSE event id; see `resumeToken`). */
  resume: string;
}

type Subscriber = {
  workspaceId: string;
  send: (e: LiveEvent) => void;
  /** While the subscription replays what was missed, live events wait here (then go out after the replay). */
  queue: LiveEvent[] | null;
};

const toLive = (r: EventRow, final: EventCursor | null): LiveEvent => ({
  id: r.id,
  type: r.type,
  workspaceId: r.workspace_id,
  contactId: r.contact_id,
  conversationId: r.conversation_id,
  at: r.created_at,
  payload: JSON.parse(r.payload),
  resume: resumeToken.format(r.id, final),
});

const PAGE = 1000;

const { before, cursorOf } = eventOrder;

/** Where a replay starts: the token's cursor on PostgreSQL, else just after its event id (in id order). */
const startOf = (after: ResumeToken): EventCursor => after.final ?? { tx: 0, id: after.id };

/** A stream further behind than this is told to reload (`onReset`) instead of being sent everything it missed. */
export const REPLAY_LIMIT = 10_000;

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
  readonly #replayLimit: number;

  constructor(store: StoreContext, log: Logger, options: { replayLimit?: number } = {}) {
    this.#store = store;
    this.#replayLimit = options.replayLimit ?? REPLAY_LIMIT;
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

  /**
   * Subscribes to a workspace's events; with `after` (SSE Last-Event-ID), first replays what the stream missed.
   * The subscription joins the fan-out before the replay is read, its live events held back until the replay
   * is out, so nothing falls between the two. On PostgreSQL the replay starts at the final cursor the token
   * carries: an event that committed late (below ids already sent) is still replayed, and an event the stream
   * had already received may come again (at-least-once; events carry their id). A stream more than the replay
   * limit behind gets `onReset` (with the resume point to give it) instead of the replay, and goes on live.
   */
  async subscribe(
    workspaceId: string,
    send: (e: LiveEvent) => void,
    after?: ResumeToken,
    onReset?: (resume: string) => void,
  ): Promise<() => void> {
    // Nobody was listening, so nothing was read meanwhile: what exists now is history, not news.
    if (this.#subs.size === 0) await this.#baseline();
    const sub: Subscriber = { workspaceId, send, queue: after ? [] : null };
    // Everything up to here has been fanned out already (or is history); what comes after reaches the queue.
    const upTo = this.#lastId;
    const settled = this.#final;
    this.#subs.add(sub);
    const unsubscribe = () => void this.#subs.delete(sub);
    if (!after) return unsubscribe;
    try {
      let replayed = new Set<number>();
      if (await this.#tooFarBehind(workspaceId, after, upTo))
        onReset?.(resumeToken.format(upTo, this.#store.dialect === "postgres" ? settled : null));
      else replayed = await this.#replay(workspaceId, after, upTo, settled, send);
      for (const e of sub.queue ?? []) if (!replayed.has(e.id)) send(e);
    } catch (err) {
      unsubscribe();
      throw err;
    } finally {
      sub.queue = null;
    }
    return unsubscribe;
  }

  /** The workspace's events after the token, up to `upTo` by id, in replay order, from `cursor` on. */
  #missed(workspaceId: string, after: ResumeToken, upTo: number, cursor = startOf(after)) {
    return eventOrder
      .after(
        after.final ? this.#store.dialect : "sqlite",
        this.#store.db.selectFrom("events").selectAll().where("workspace_id", "=", workspaceId),
        cursor,
      )
      .where("id", "<=", upTo);
  }

  async #tooFarBehind(workspaceId: string, after: ResumeToken, upTo: number): Promise<boolean> {
    const beyond = await this.#missed(workspaceId, after, upTo)
      .clearSelect()
      .select("id")
      .offset(this.#replayLimit)
      .limit(1)
      .executeTakeFirst();
    return beyond !== undefined;
  }

  /**
   * Sends the workspace's events after the token up to `upTo` (by id), page by page; returns their ids. `settled`
   * is the hub's final cursor when the subscription joined: every event up to it is visible, so a replayed
   * event's resume point is its own position only up to there (past it, an in-flight transaction may still add
   * events before it).
   */
  async #replay(
    workspaceId: string,
    after: ResumeToken,
    upTo: number,
    settled: EventCursor,
    send: (e: LiveEvent) => void,
  ): Promise<Set<number>> {
    const from = after.final;
    const cap = from && before(from, settled) ? settled : from;
    let cursor = startOf(after);
    const ids = new Set<number>();
    for (;;) {
      const rows = await this.#missed(workspaceId, after, upTo, cursor).limit(PAGE).execute();
      for (const r of rows) {
        const at = cursorOf(r);
        ids.add(r.id);
        send(toLive(r, cap ? (before(at, cap) ? at : cap) : null));
      }
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return ids;
      cursor = cursorOf(last);
    }
  }

  /**
   * Marks every event visible now as already handled. On PostgreSQL its reads share one snapshot: an event that
   * committed between two of them was counted in one (the final cursor) but not the other (the highest id), and
   * so was neither history nor news.
   */
  async #baseline(): Promise<void> {
    if (this.#store.dialect === "postgres")
      await this.#store.db
        .transaction()
        .setIsolationLevel("repeatable read")
        .execute((tx) => this.#baselineIn(tx));
    else await this.#baselineIn(this.#store.db);
  }

  async #baselineIn(db: Db): Promise<void> {
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
    this.#final = last ? cursorOf(last) : this.#final;
    // Visible events of transactions newer than the horizon: the final walk will meet them again.
    const ahead = await db.selectFrom("events").select("id").where("tx_id", ">=", horizon).execute();
    this.#sent.clear();
    for (const r of ahead) this.#sent.add(Number(r.id));
  }

  /** Fans an event out; `final` is the PostgreSQL resume point to give it (null on SQLite). */
  #send(r: EventRow, final: EventCursor | null): void {
    let e: LiveEvent | undefined;
    for (const s of this.#subs) {
      if (s.workspaceId !== r.workspace_id) continue;
      e ??= toLive(r, final);
      if (s.queue) s.queue.push(e);
      else s.send(e);
    }
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
        // Sent in cursor order: everything up to this event has gone out, so a stream may resume right after it.
        if (!this.#sent.delete(r.id)) this.#send(r, cursorOf(r));
        this.#lastId = Math.max(this.#lastId, r.id);
      }
      const last = settled.at(-1);
      if (last) this.#final = cursorOf(last);
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
        if (!before(this.#final, cursorOf(r))) continue;
        this.#sent.add(r.id);
      }
      this.#send(r, postgres ? this.#final : null);
    }
    return more || fresh.length === PAGE;
  }
}
