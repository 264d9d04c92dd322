import type { Logger } from "pino";
import { Pump } from "../../../runtime/Pump.ts";
import type { MessageRow } from "../../../store/databaseSchema.ts";
import type { StoreContext } from "../../../store/storeContext.ts";
import type { ChannelDirectory, RoutedChannel } from "../ingest/ChannelDirectory.ts";
import { claimBudget, claimStep, inFlightCap, mpsBucket } from "./claimBudget.ts";
import type { RateLimiter } from "./RateLimiter.ts";
import { SendResultRecorder } from "./SendResultRecorder.ts";
import { sendOne } from "./sendOne.ts";

type Claimed = { m: MessageRow; phone: string | undefined };

export interface DeliveryOptions {
  /** Sustained messages per recipient per second (Meta's pair rate is about one per 6 s). */
  pairRate: number;
  pairBurst: number;
  /** Graph calls in flight at once, per process. */
  concurrency: number;
  leaseMs: number;
  timeoutMs: number;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  pairRate: 1 / 6,
  pairBurst: 20,
  // Meta answers in 100–500 ms, so a number at 1,000 mps needs hundreds of sends in flight.
  concurrency: 512,
  leaseMs: 60_000,
  timeoutMs: 15_000,
};

/**
 * Sends queued outbound messages through each channel's Graph API, within the number's messages-per-second and
 * the per-recipient pair rate. A send is recorded before (`sending`) and after (`sent` / retry / `failed`); a
 * process that dies between the two leaves `sending` rows that are failed as `send_interrupted` rather than
 * resent, so Parley never sends a message twice of its own doing.
 */
export class DeliveryWorker {
  readonly #store: StoreContext;
  readonly #log: Logger;
  readonly #directory: ChannelDirectory;
  readonly #limiter: RateLimiter;
  readonly #opts: DeliveryOptions;
  readonly #recorder: SendResultRecorder;
  /**
   * Numbers whose first send of this process has been answered. A number's first send goes alone and its bucket
   * starts again when the answer comes: that first call (a new connection, cold code on both ends) is much
   * slower than the rest, and sends claimed while it was on its way would reach Meta above the number's rate.
   */
  readonly #warm = new Set<string>();
  #inFlight = 0;
  readonly #inFlightByChannel = new Map<string, number>();
  readonly #pump: Pump;
  #sleep: NodeJS.Timeout | undefined;
  /**
   * When the last claim found work but could send none of it (buckets empty, in-flight caps full), commits
   * elsewhere don't trigger another claim until the next token is due or a send finishes: at a few hundred commits
   * a second, re-reading the queue on each of them cost more than the sending.
   */
  #quietUntil = 0;
  readonly #forceWake = () => {
    this.#quietUntil = 0;
    void this.#pump.run();
  };

  constructor(
    store: StoreContext,
    directory: ChannelDirectory,
    limiter: RateLimiter,
    log: Logger,
    opts: Partial<DeliveryOptions> = {},
  ) {
    this.#store = store;
    this.#directory = directory;
    this.#limiter = limiter;
    this.#log = log.child({ component: "delivery" });
    this.#opts = { ...defaultDeliveryOptions, ...opts };
    this.#recorder = new SendResultRecorder(store, this.#log);
    this.#pump = new Pump({
      pass: () => this.#pass(),
      onError: (err) => this.#log.error({ err }, "delivery pump failed"),
      bus: store.bus,
      intervalMs: 250,
      gate: () => performance.now() >= this.#quietUntil,
      coalesce: false,
    });
  }

  async start(): Promise<void> {
    await this.#failInterrupted();
    this.#pump.start();
  }

  async stop(): Promise<void> {
    const stopping = this.#pump.stop();
    clearTimeout(this.#sleep);
    await stopping;
    while (this.#inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Sends left in `sending` by a process that died mid-send: we can't know if Meta got them, so we don't resend. */
  async #failInterrupted(): Promise<void> {
    const now = this.#store.now();
    const res = await this.#store.db
      .updateTable("messages")
      .set({
        status: "failed",
        error_code: "send_interrupted",
        error_detail: "The server stopped while sending this message; it was not resent to avoid a duplicate",
        failed_at: now,
        updated_at: now,
        lease_until: null,
      })
      .where("status", "=", "sending")
      .where("lease_until", "<", now)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0)
      this.#log.warn({ count: Number(res.numUpdatedRows) }, "failed interrupted sends");
  }

  /** Claims as much as there is room for (in flight, and in the numbers' buckets) and starts sending it. */
  async #pass(): Promise<boolean> {
    const room = this.#opts.concurrency - this.#inFlight;
    if (room <= 0) return false;
    const claimed = await this.#claim(room);
    for (const c of claimed) void this.#deliver(c.m, c.phone);
    return claimed.length === room;
  }

  /** Claims due messages (`queued` → `sending`), at most what the channels' buckets allow right now. */
  async #claim(limit: number): Promise<Claimed[]> {
    const ctx = this.#store;
    const now = ctx.now();
    const budget = claimBudget(
      await this.#directory.all(),
      this.#limiter,
      this.#inFlightByChannel,
      this.#warm,
    );
    if (budget.rows === 0) {
      if (Number.isFinite(budget.waitMs) && !this.#pump.stopped) {
        clearTimeout(this.#sleep);
        this.#sleep = setTimeout(this.#forceWake, Math.max(1, budget.waitMs));
      }
      this.#quietUntil = performance.now() + Math.min(budget.waitMs, 250);
      return [];
    }
    // Pair-rate deferrals and other numbers' rows share the read: some slack beyond the tokens.
    const rows = Math.min(limit * 4, 500, budget.rows * 2 + 16);
    const candidates = await ctx.db
      .selectFrom("messages")
      .select(["id", "channel_id", "contact_id"])
      .where("status", "=", "queued")
      .where("next_attempt_at", "<=", now)
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(rows)
      .execute();
    if (candidates.length === 0) return [];

    const picked: string[] = [];
    const deferred: { id: string; until: number }[] = [];
    let soonest = Number.POSITIVE_INFINITY;
    const byChannel = new Map<string, typeof candidates>();
    for (const c of candidates) {
      const list = byChannel.get(c.channel_id);
      if (list) list.push(c);
      else byChannel.set(c.channel_id, [c]);
    }
    for (const [channelId, rows] of byChannel) {
      const routed = (await this.#directory.all()).find((r) => r.channel.id === channelId);
      if (!routed?.channel.healthy) continue; // an unhealthy channel keeps its queue until its token is fixed
      const mps = routed.channel.mps;
      if (this.#limiter.peek?.(mpsBucket(channelId, mps)) !== undefined && !this.#warm.has(channelId))
        continue;
      const cap = inFlightCap(mps) - (this.#inFlightByChannel.get(channelId) ?? 0);
      const want = Math.min(rows.length, limit - picked.length, cap);
      if (want <= 0) continue;
      const { granted, waitMs } = await this.#limiter.take(mpsBucket(channelId, mps), want);
      // Out of tokens: come back when a handful has refilled, not for every single one (each claim is a query).
      if (granted < want)
        soonest = Math.min(soonest, Math.max(waitMs, (Math.min(claimStep(mps), want) / mps) * 1000));
      let left = granted;
      for (const row of rows) {
        if (left === 0) break;
        const pair = await this.#limiter.take(
          {
            key: `pair:${channelId}:${row.contact_id}`,
            rate: this.#opts.pairRate,
            burst: this.#opts.pairBurst,
          },
          1,
        );
        if (pair.granted === 0) {
          deferred.push({ id: row.id, until: now + pair.waitMs });
          continue;
        }
        picked.push(row.id);
        left--;
      }
      // Unused channel tokens go back to nobody: the bucket refills at the number's rate anyway.
    }
    for (const d of deferred) {
      await ctx.db
        .updateTable("messages")
        .set({ next_attempt_at: d.until })
        .where("id", "=", d.id)
        .where("status", "=", "queued")
        .execute();
    }
    if (Number.isFinite(soonest) && !this.#pump.stopped) {
      clearTimeout(this.#sleep);
      this.#sleep = setTimeout(this.#forceWake, Math.max(1, soonest));
    }
    if (picked.length === 0) {
      this.#quietUntil = performance.now() + Math.min(Number.isFinite(soonest) ? soonest : 250, 250);
      return [];
    }
    return ctx.db.transaction().execute(async (tx) => {
      const claimed = await tx
        .updateTable("messages")
        .set({
          status: "sending",
          send_started_at: now,
          lease_until: now + this.#opts.leaseMs,
          attempts: (eb) => eb("attempts", "+", 1),
          updated_at: now,
        })
        .where("id", "in", picked)
        .where("status", "=", "queued")
        .returningAll()
        .execute();
      // The recipients' numbers, read once for the claim rather than once per send.
      const phones = new Map<string, string>();
      const contactIds = [...new Set(claimed.map((m) => m.contact_id))];
      for (let i = 0; i < contactIds.length; i += 500) {
        const rows = await tx
          .selectFrom("contacts")
          .select(["id", "phone"])
          .where("id", "in", contactIds.slice(i, i + 500))
          .execute();
        for (const c of rows) phones.set(c.id, c.phone);
      }
      return claimed.map((m) => ({ m, phone: phones.get(m.contact_id) }));
    });
  }

  async #deliver(m: MessageRow, phone: string | undefined): Promise<void> {
    this.#inFlight++;
    this.#inFlightByChannel.set(m.channel_id, (this.#inFlightByChannel.get(m.channel_id) ?? 0) + 1);
    try {
      const routed: RoutedChannel | undefined = (await this.#directory.all()).find(
        (r) => r.channel.id === m.channel_id,
      );
      const result =
        routed && phone !== undefined
          ? await sendOne(routed, phone, m, this.#opts.timeoutMs)
          : {
              ok: false as const,
              permanent: true,
              code: "channel_missing",
              detail: "The channel or contact no longer exists",
            };
      if (routed && !this.#warm.has(m.channel_id)) {
        this.#warm.add(m.channel_id);
        this.#limiter.restart?.(mpsBucket(m.channel_id, routed.channel.mps));
      }
      await this.#recorder.record(m, result);
      if (!result.ok && "channelUnhealthy" in result && result.channelUnhealthy) this.#directory.invalidate();
    } catch (err) {
      this.#log.error({ err, messageId: m.id }, "delivery failed unexpectedly");
    } finally {
      this.#inFlight--;
      const left = (this.#inFlightByChannel.get(m.channel_id) ?? 1) - 1;
      if (left > 0) this.#inFlightByChannel.set(m.channel_id, left);
      else this.#inFlightByChannel.delete(m.channel_id);
      // A finished send frees room under the in-flight cap.
      this.#forceWake();
    }
  }
}
