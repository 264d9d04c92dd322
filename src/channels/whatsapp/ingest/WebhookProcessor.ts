import { sql } from "kysely";
import type { Logger } from "pino";
import { Pump } from "../../../runtime/Pump.ts";
import type { Channel } from "../../../store/channelStore.ts";
import { deferredWrites } from "../../../store/deferredWrites.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { parseWebhookPayload } from "../webhook/parseWebhookPayload.ts";
import type { WebhookEvent, WebhookMessageEvent, WebhookStatusEvent } from "../webhook/webhookEvent.ts";
import { applyAccountUpdate } from "./applyAccountUpdate.ts";
import { applyStatusUpdate } from "./applyStatusUpdate.ts";
import type { ChannelDirectory, RoutedChannel } from "./ChannelDirectory.ts";
import { InboundBatch } from "./InboundBatch.ts";
import { ingestInboundMessage } from "./ingestInboundMessage.ts";
import { insertDeliveries } from "./insertDeliveries.ts";
import { StatusPrefetch } from "./StatusPrefetch.ts";
import type { SpooledDelivery } from "./spoolFrames.ts";

const BATCH = 200;
const MIN_CLAIM = 8;
const MAX_ATTEMPTS = 5;
/**
 * SQLite runs synchronously on the event loop thread, so a batch blocks HTTP while it runs: batches stop after
 * this long and the loop yields between them, which keeps webhook acknowledgements fast under a backlog.
 */
const SLICE_MS = 10;

/** Thrown to abandon an optimistic batch so it can run again with a savepoint per delivery. */
class NeedsCare extends Error {}

/**
 * Turns stored webhook deliveries into messages, statuses and contact updates. Batches are claimed with
 * `FOR UPDATE SKIP LOCKED` on PostgreSQL so several processes can share the work; a batch is one transaction,
 * and a delivery that fails is retried alone and, after MAX_ATTEMPTS, parked with its error.
 */
export class WebhookProcessor {
  readonly #store: StoreContext;
  readonly #log: Logger;
  readonly #directory: ChannelDirectory;
  readonly #pump: Pump;
  /** How many stored deliveries the next batch claims (adapts on SQLite; see the pass). */
  #claim = BATCH;

  constructor(store: StoreContext, directory: ChannelDirectory, log: Logger) {
    this.#store = store;
    this.#directory = directory;
    this.#log = log.child({ component: "webhook-processor" });
    this.#pump = new Pump({
      pass: async () => {
        const limit = this.#claim;
        const { claimed, done } = await this.#processBatch();
        // SQLite: a slice that ended early left rows that were parsed and prefetched for nothing (slow deliveries,
        // such as first messages from new contacts); claim about what one slice gets through next time.
        if (store.dialect === "sqlite")
          this.#claim = done < claimed ? Math.max(MIN_CLAIM, done) : Math.min(BATCH, limit * 2);
        return claimed === limit || done < claimed;
      },
      onError: (err) => this.#log.error({ err }, "webhook batch failed"),
      bus: store.bus,
      event: "webhooks.received",
      intervalMs: 1000,
      coalesce: false,
      // A SQLite batch runs synchronously for up to ~10 ms: let webhook acknowledgements through between them.
      yieldBetweenPasses: true,
    });
  }

  start(): void {
    this.#pump.start();
  }

  stop(): Promise<void> {
    return this.#pump.stop();
  }

  /** Resolves when nothing is pending (tests and benchmarks). */
  async drain(): Promise<void> {
    for (;;) {
      await this.#pump.run();
      const left = await this.#store.db
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("processed_at", "is", null)
        .where("attempts", "<", MAX_ATTEMPTS)
        .executeTakeFirst();
      if (Number(left?.n ?? 0) === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Optimistically runs the batch without savepoints (they cost two statements per delivery); the first failure
   * rolls it back and the batch runs again carefully, each delivery in its own savepoint.
   */
  async #processBatch(fresh?: SpooledDelivery[]): Promise<{ claimed: number; done: number }> {
    try {
      return await this.#runBatch(false, fresh);
    } catch (err) {
      // Whatever failed (one delivery, or a bulk write of the batch), nothing of it was committed.
      if (!(err instanceof NeedsCare)) this.#log.warn({ err }, "webhook batch failed; retrying one by one");
      return this.#runBatch(true, fresh);
    }
  }

  /**
   * Stores deliveries that are not in the database yet and processes them in the same transaction (the webhook
   * thread's path: the spool kept them until now). One that fails is stored unprocessed with its error, and
   * retried like any other.
   */
  async ingest(deliveries: SpooledDelivery[]): Promise<void> {
    if (deliveries.length > 0) await this.#processBatch(deliveries);
  }

  /** Processes `fresh` deliveries, storing them first; without them, claims stored ones not processed yet. */
  async #runBatch(careful: boolean, fresh?: SpooledDelivery[]): Promise<{ claimed: number; done: number }> {
    const ctx = this.#store;
    const failed: number[] = [];
    const handled: number[] = [];
    // Resolved before the transaction: on SQLite a cache refresh inside it would wait for its own connection.
    const channels = await this.#directory.all();
    const count = await ctx.db.transaction().execute(async (tx) => {
      const rows = fresh ? await insertDeliveries(ctx, tx, fresh, ctx.now()) : await this.#claimRows(tx);
      const events = new Map<number, WebhookEvent[]>();
      const batch = careful ? null : new InboundBatch(ctx, tx);
      const statuses = careful ? undefined : new StatusPrefetch();
      if (batch && statuses) {
        // Outbox rows are written in bulk at the end (a savepoint rollback in careful mode would need them gone).
        deferredWrites.enable(tx);
        for (const row of rows) events.set(row.id, this.#parse(row.body, careful));
        const messages: { channel: Channel; event: WebhookMessageEvent }[] = [];
        const statusEvents: { channel: Channel; event: WebhookStatusEvent }[] = [];
        for (const row of rows)
          for (const event of events.get(row.id) ?? []) {
            if (event.kind !== "message" && event.kind !== "status") continue;
            const channel = this.#channelFor(channels, row.channel_id, event);
            if (!channel) continue;
            if (event.kind === "message") messages.push({ channel, event });
            else statusEvents.push({ channel, event });
          }
        await batch.prefetch(messages);
        await statuses.load(tx, statusEvents);
      }
      // PostgreSQL work is round trips, not a blocked event loop, and the whole claimed batch was parsed and its
      // messages prefetched: stopping early there would throw that work away and claim the rest again.
      // Fresh deliveries are in no other row to come back to: all of them are processed now.
      const deadline =
        ctx.dialect === "sqlite" && !fresh ? performance.now() + SLICE_MS : Number.POSITIVE_INFINITY;
      for (const row of rows) {
        if (handled.length > 0 && performance.now() > deadline) break;
        handled.push(row.id);
        const process = () =>
          this.#processDelivery(
            tx,
            channels,
            row.channel_id,
            events.get(row.id) ?? this.#parse(row.body, careful),
            batch,
            statuses,
          );
        try {
          if (careful) await this.#inSavepoint(tx, process);
          else await process();
        } catch (err) {
          if (!careful) throw new NeedsCare();
          failed.push(row.id);
          this.#log.warn({ err, deliveryId: row.id }, "webhook delivery could not be processed");
          await tx
            .updateTable("webhook_deliveries")
            .set((eb) => ({
              processed_at: null,
              attempts: eb("attempts", "+", 1),
              error: String(err instanceof Error ? err.message : err).slice(0, 500),
            }))
            .where("id", "=", row.id)
            .execute();
        }
      }
      await batch?.flush();
      await deferredWrites.flush(ctx, tx);
      const done = handled.filter((id) => !failed.includes(id));
      if (done.length > 0 && !fresh) {
        await tx
          .updateTable("webhook_deliveries")
          .set({ processed_at: ctx.now(), error: null })
          .where("id", "in", done)
          .execute();
      }
      return rows.length;
    });
    if (handled.length > 0) ctx.bus.emit("committed");
    return { claimed: count, done: handled.length };
  }

  /** Stored deliveries not processed yet, oldest first (SKIP LOCKED on PostgreSQL, so processes share them). */
  #claimRows(tx: Tx) {
    let q = tx
      .selectFrom("webhook_deliveries")
      .select(["id", "channel_id", "body"])
      .where("processed_at", "is", null)
      .where("attempts", "<", MAX_ATTEMPTS)
      .orderBy("id")
      .limit(this.#claim);
    if (this.#store.dialect === "postgres") q = q.forUpdate().skipLocked();
    return q.execute();
  }

  /** A savepoint lets one bad delivery fail without undoing the rest of its batch. */
  async #inSavepoint(tx: Tx, fn: () => Promise<void>): Promise<void> {
    await sql`savepoint delivery`.execute(tx);
    try {
      await fn();
      await sql`release savepoint delivery`.execute(tx);
    } catch (err) {
      await sql`rollback to savepoint delivery`.execute(tx);
      await sql`release savepoint delivery`.execute(tx);
      throw err;
    }
  }

  #parse(body: string, careful: boolean): WebhookEvent[] {
    try {
      const parsed = parseWebhookPayload(JSON.parse(body));
      if (!parsed.ok)
        throw new Error(`unrecognized webhook payload: ${JSON.stringify(parsed.issues).slice(0, 300)}`);
      return parsed.events;
    } catch (err) {
      // Outside careful mode the whole batch re-runs with a savepoint per delivery, which records this error.
      if (!careful) throw new NeedsCare();
      throw err;
    }
  }

  async #processDelivery(
    tx: Tx,
    channels: RoutedChannel[],
    channelId: string | null,
    events: WebhookEvent[],
    batch: InboundBatch | null,
    statuses: StatusPrefetch | undefined,
  ): Promise<void> {
    for (const event of events) {
      if (batch && event.kind === "message") {
        const channel = this.#channelFor(channels, channelId, event);
        if (channel && (batch.take(channel, event) || (await batch.takeNew(channel, event)))) continue;
        await batch.flush();
        await this.#apply(tx, channels, channelId, event, statuses);
        if (channel) batch.forget(channel, event);
        continue;
      }
      // Statuses touch outbound messages only, which the staged inbound rows can't be: no flush needed.
      if (event.kind !== "status") await batch?.flush();
      await this.#apply(tx, channels, channelId, event, statuses);
    }
  }

  #channelFor(channels: RoutedChannel[], channelId: string | null, event: WebhookEvent): Channel | undefined {
    const pnid = "phoneNumberId" in event ? event.phoneNumberId : undefined;
    return (
      pnid
        ? channels.find((c) => c.channel.phoneNumberId === pnid)
        : channels.find((c) => c.channel.id === channelId)
    )?.channel;
  }

  async #apply(
    tx: Tx,
    channels: RoutedChannel[],
    channelId: string | null,
    event: WebhookEvent,
    statuses: StatusPrefetch | undefined,
  ): Promise<void> {
    const ctx = this.#store;
    const channel = this.#channelFor(channels, channelId, event);
    if (!channel) {
      this.#log.warn({ kind: event.kind }, "webhook event for an unknown number skipped");
      return;
    }
    const log = this.#log.child({ channelId: channel.id });
    switch (event.kind) {
      case "message": {
        const outcome = await ingestInboundMessage(ctx, tx, channel, event);
        if (outcome !== "stored")
          log.debug({ waMessageId: event.waMessageId, outcome }, "inbound message not stored");
        return;
      }
      case "status": {
        const known = await applyStatusUpdate(ctx, tx, channel, event, statuses);
        if (!known) log.debug({ waMessageId: event.waMessageId }, "status for a message that is not ours");
        return;
      }
      case "user_preference":
      case "template_status":
      case "template_category":
        await applyAccountUpdate(ctx, tx, channel, event);
        return;
      case "error":
        log.warn({ errors: event.errors }, "webhook-level error reported by Meta");
        return;
      case "unknown":
        log.debug({ field: event.field }, "webhook field not handled");
        return;
    }
  }
}
