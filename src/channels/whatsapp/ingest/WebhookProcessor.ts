import { sql } from "kysely";
import type { Logger } from "pino";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { parseWebhookPayload } from "../webhook/parseWebhookPayload.ts";
import type { WebhookEvent } from "../webhook/webhookEvent.ts";
import { applyAccountUpdate } from "./applyAccountUpdate.ts";
import { applyStatusUpdate } from "./applyStatusUpdate.ts";
import type { ChannelDirectory } from "./ChannelDirectory.ts";
import { ingestInboundMessage } from "./ingestInboundMessage.ts";

const BATCH = 200;
const MAX_ATTEMPTS = 5;

/**
 * Turns stored webhook deliveries into messages, statuses and contact updates. Batches are claimed with
 * `FOR UPDATE SKIP LOCKED` on PostgreSQL so several processes can share the work; a batch is one transaction,
 * and a delivery that fails is retried alone and, after MAX_ATTEMPTS, parked with its error.
 */
export class WebhookProcessor {
  readonly #store: StoreContext;
  readonly #log: Logger;
  readonly #directory: ChannelDirectory;
  #running = false;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #idle: (() => void)[] = [];
  readonly #wake = () => void this.#pump();

  constructor(store: StoreContext, directory: ChannelDirectory, log: Logger) {
    this.#store = store;
    this.#directory = directory;
    this.#log = log.child({ component: "webhook-processor" });
  }

  start(): void {
    this.#store.bus.on("webhooks.received", this.#wake);
    this.#timer = setInterval(this.#wake, 1000);
    this.#timer.unref();
    this.#wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#store.bus.off("webhooks.received", this.#wake);
    clearInterval(this.#timer);
    if (this.#running) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Resolves when nothing is pending (tests and benchmarks). */
  async drain(): Promise<void> {
    for (;;) {
      await this.#pump();
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

  async #pump(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        const n = await this.#processBatch();
        if (n === BATCH) this.#again = true;
      } while (this.#again && !this.#stopped);
    } catch (err) {
      this.#log.error({ err }, "webhook batch failed");
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #processBatch(): Promise<number> {
    const ctx = this.#store;
    const failed: number[] = [];
    const count = await ctx.db.transaction().execute(async (tx) => {
      let q = tx
        .selectFrom("webhook_deliveries")
        .select(["id", "channel_id", "body"])
        .where("processed_at", "is", null)
        .where("attempts", "<", MAX_ATTEMPTS)
        .orderBy("id")
        .limit(BATCH);
      if (ctx.dialect === "postgres") q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      for (const row of rows) {
        try {
          await this.#inSavepoint(tx, () => this.#processDelivery(tx, row.channel_id, row.body));
        } catch (err) {
          failed.push(row.id);
          this.#log.warn({ err, deliveryId: row.id }, "webhook delivery could not be processed");
          await tx
            .updateTable("webhook_deliveries")
            .set((eb) => ({
              attempts: eb("attempts", "+", 1),
              error: String(err instanceof Error ? err.message : err).slice(0, 500),
            }))
            .where("id", "=", row.id)
            .execute();
        }
      }
      const done = rows.map((r) => r.id).filter((id) => !failed.includes(id));
      if (done.length > 0) {
        await tx
          .updateTable("webhook_deliveries")
          .set({ processed_at: ctx.now(), error: null })
          .where("id", "in", done)
          .execute();
      }
      return rows.length;
    });
    if (count > 0) ctx.bus.emit("committed");
    return count;
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

  async #processDelivery(tx: Tx, channelId: string | null, body: string): Promise<void> {
    const parsed = parseWebhookPayload(JSON.parse(body));
    if (!parsed.ok)
      throw new Error(`unrecognized webhook payload: ${JSON.stringify(parsed.issues).slice(0, 300)}`);
    for (const event of parsed.events) await this.#apply(tx, channelId, event);
  }

  async #apply(tx: Tx, channelId: string | null, event: WebhookEvent): Promise<void> {
    const ctx = this.#store;
    const channel =
      "phoneNumberId" in event && event.phoneNumberId
        ? (await this.#directory.byPhoneNumberId(event.phoneNumberId))?.channel
        : (await this.#directory.all()).find((c) => c.channel.id === channelId)?.channel;
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
        const known = await applyStatusUpdate(ctx, tx, channel, event);
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
