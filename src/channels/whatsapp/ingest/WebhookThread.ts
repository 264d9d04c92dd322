import type { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { AppError } from "../../../core/errors.ts";
import { DbThread } from "../../../runtime/DbThread.ts";
import type { ThreadWriteLock } from "../../../store/ThreadWriteLock.ts";
import { type SpoolChunk, WebhookSpool } from "./WebhookSpool.ts";
import type { WebhookThreadIn, WebhookThreadOut } from "./webhookThreadMain.ts";

/** Deliveries accepted but not yet in the database past which new ones get a 503 (Meta retries them later). */
const MAX_BACKLOG = 100_000;
/**
 * Flow control. Past `from` deliveries waiting, each answer is held back `msPerDelivery` for every delivery
 * waiting beyond it (at most `maxMs`): senders, Meta included, keep a bounded number of requests open, so slower
 * answers slow them down to the rate the thread stores at, while the lag behind them stays a fraction of a
 * second and the answers stay fast. Without it, a sender faster than storing takes the CPU the storing needs on
 * a small machine, and the lag grows until the backlog limit turns deliveries away.
 */
export interface WebhookPace {
  from: number;
  msPerDelivery: number;
  maxMs: number;
}
const PACE: WebhookPace = { from: 2_048, msPerDelivery: 0.01, maxMs: 500 };

/** This thread's party in the database lock (the main thread is 0). */
export const WEBHOOK_PARTY = 1;

/**
 * The main thread's side of webhook ingestion on a SQLite file: HTTP, signature checks and the spool stay here,
 * while a worker thread with its own connection stores and processes the deliveries (webhookThreadMain). The
 * threads take turns on the database through a shared lock but overlap everything else, so a two-core machine
 * accepts webhooks on one core while the other writes them. Deliveries stay in memory here until the thread
 * confirms they are committed; a thread that dies is started again (DbThread) and given them again.
 */
export class WebhookThread {
  readonly #spool: WebhookSpool;
  readonly #thread: DbThread<WebhookThreadIn, WebhookThreadOut>;
  readonly #bus: EventEmitter;
  readonly #unacked: SpoolChunk[] = [];
  #backlog = 0;
  #drains = new Map<number, () => void>();
  #nextDrain = 1;
  #started = false;
  readonly #maxBacklog: number;
  readonly #pace: WebhookPace;
  readonly #onChannelsChanged = () => this.#thread.post({ type: "channels.changed" });

  /**
   * Opens the spool in `spoolDir` (what an earlier process left in it is given to the thread first); nothing
   * runs until `start`.
   */
  constructor(options: {
    spoolDir: string;
    url: string;
    lock: ThreadWriteLock;
    secretKey: string;
    log: Logger;
    bus: EventEmitter;
    maxBacklog?: number;
    pace?: WebhookPace;
  }) {
    this.#spool = new WebhookSpool(options.spoolDir, this.#take);
    this.#maxBacklog = options.maxBacklog ?? MAX_BACKLOG;
    this.#pace = options.pace ?? PACE;
    this.#bus = options.bus;
    this.#thread = new DbThread<WebhookThreadIn, WebhookThreadOut>({
      name: "webhook",
      entry: new URL("./webhookThreadMain.ts", import.meta.url),
      data: { url: options.url, secretKey: options.secretKey, logLevel: options.log.level },
      party: WEBHOOK_PARTY,
      lock: options.lock,
      log: options.log,
      bus: options.bus,
      onMessage: (m) => {
        if (m.type === "acked") this.#acked(m.seq, m.end);
        else {
          this.#drains.get(m.id)?.();
          this.#drains.delete(m.id);
        }
      },
      // A new thread (a restart after a crash included) gets everything not confirmed yet.
      onSpawn: () => {
        for (const chunk of this.#unacked) this.#thread.post({ type: "chunk", chunk });
      },
    });
    for (const chunk of this.#spool.open()) this.#take(chunk);
  }

  /** Each write to the spool (and what an earlier process left in it). */
  readonly #take = (chunk: SpoolChunk): void => {
    this.#unacked.push(chunk);
    this.#backlog += chunk.count;
    this.#thread.post({ type: "chunk", chunk });
  };

  /** Deliveries answered 200 but not yet committed to the database. */
  get backlog(): number {
    return this.#backlog;
  }

  accept(channelId: string | null, rawBody: Buffer): Promise<void> {
    if (this.#backlog >= this.#maxBacklog)
      return Promise.reject(
        new AppError("unavailable", "Too many webhooks are waiting to be stored; Meta will retry this one"),
      );
    const stored = this.#spool.accept({ channelId, raw: rawBody, receivedAt: Date.now() });
    return this.#backlog < this.#pace.from ? stored : stored.then(this.#paced);
  }

  /** Holds an answer back in proportion to how far storing is behind (see WebhookPace). */
  readonly #paced = (): Promise<void> | undefined => {
    const { from, msPerDelivery, maxMs } = this.#pace;
    const ms = Math.min(maxMs, (this.#backlog - from) * msPerDelivery);
    if (ms < 1) return undefined;
    return new Promise((resolve) => setTimeout(resolve, ms));
  };

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#bus.on("channels.changed", this.#onChannelsChanged);
    this.#thread.start();
  }

  /** Resolves when every delivery accepted so far is stored and processed (tests and benchmarks). */
  drain(): Promise<void> {
    // As with processing in-process, draining works before the workers are started.
    this.start();
    if (!this.#thread.running) return Promise.reject(new Error("the webhook thread is not running"));
    const id = this.#nextDrain++;
    return new Promise((resolve) => {
      this.#drains.set(id, resolve);
      this.#thread.post({ type: "drain", id });
    });
  }

  /** Stops the thread at once, as if it had crashed (fault injection for tests); it is started again. */
  crash(): Promise<void> {
    return this.#thread.crash();
  }

  /** Lets the thread finish what it holds, then stops it and closes the spool. */
  async stop(): Promise<void> {
    this.#bus.off("channels.changed", this.#onChannelsChanged);
    await this.#thread.stop();
    this.#spool.close();
  }

  #acked(seq: number, end: number): void {
    while (this.#unacked.length > 0) {
      const head = this.#unacked[0] as SpoolChunk;
      if (head.seq > seq || (head.seq === seq && head.end > end)) break;
      this.#unacked.shift();
      this.#backlog -= head.count;
    }
    this.#spool.acknowledge(seq, end);
  }
}
