import type { EventEmitter } from "node:events";
import type { Worker } from "node:worker_threads";
import pino, { type Logger } from "pino";
import { AppError } from "../../../core/errors.ts";
import { startTsThread } from "../../../runtime/startTsThread.ts";
import type { ThreadWriteLock } from "../../../store/ThreadWriteLock.ts";
import type { SpoolChunk, WebhookSpool } from "./WebhookSpool.ts";
import type { ThreadMessage, WebhookThreadData } from "./webhookThreadMain.ts";

/** Deliveries accepted but not yet in the database past which new ones get a 503 (Meta retries them later). */
const MAX_BACKLOG = 100_000;
const RESTART_MS = 1000;
/** This thread's party in the database lock (the main thread is 0). */
export const WEBHOOK_PARTY = 1;

/**
 * The main thread's side of webhook ingestion on a SQLite file: HTTP, signature checks and the spool stay here,
 * while a worker thread with its own connection stores and processes the deliveries (webhookThreadMain). The two
 * threads take turns on the database through a shared lock but overlap everything else, so a two-core machine
 * accepts webhooks on one core while the other writes them. Deliveries stay in memory here until the thread
 * confirms they are committed; a thread that dies is started again and given them again.
 */
export class WebhookThread {
  readonly #spool: WebhookSpool;
  readonly #data: WebhookThreadData;
  readonly #lock: ThreadWriteLock;
  readonly #log: Logger;
  readonly #bus: EventEmitter;
  readonly #unacked: SpoolChunk[] = [];
  #backlog = 0;
  #worker: Worker | null = null;
  #state: "idle" | "started" | "stopping" = "idle";
  #drains = new Map<number, () => void>();
  #nextDrain = 1;
  #restart: NodeJS.Timeout | undefined;
  readonly #onChannelsChanged = () => this.#worker?.postMessage({ type: "channels.changed" });

  constructor(options: {
    spool: WebhookSpool;
    url: string;
    lock: ThreadWriteLock;
    secretKey: string;
    log: Logger;
    bus: EventEmitter;
  }) {
    this.#spool = options.spool;
    this.#log = options.log.child({ component: "webhook-thread" });
    this.#bus = options.bus;
    this.#lock = options.lock;
    this.#data = {
      url: options.url,
      lock: options.lock.share,
      party: WEBHOOK_PARTY,
      secretKey: options.secretKey,
      logLevel: options.log.level,
    };
  }

  /** Called by the spool for every write (and for what an earlier process left). */
  readonly take = (chunk: SpoolChunk): void => {
    this.#unacked.push(chunk);
    this.#backlog += chunk.count;
    this.#worker?.postMessage({ type: "chunk", chunk } satisfies ThreadMessage);
  };

  /** Deliveries answered 200 but not yet committed to the database. */
  get backlog(): number {
    return this.#backlog;
  }

  accept(channelId: string | null, rawBody: Buffer): Promise<void> {
    if (this.#backlog >= MAX_BACKLOG)
      return Promise.reject(
        new AppError("unavailable", "Too many webhooks are waiting to be stored; Meta will retry this one"),
      );
    return this.#spool.accept({ channelId, raw: rawBody, receivedAt: Date.now() });
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "started";
    this.#bus.on("channels.changed", this.#onChannelsChanged);
    this.#spawn();
  }

  /** Resolves when every delivery accepted so far is stored and processed (tests and benchmarks). */
  drain(): Promise<void> {
    // As with processing in-process, draining works before the workers are started.
    this.start();
    const worker = this.#worker;
    if (!worker) return Promise.reject(new Error("the webhook thread is not running"));
    const id = this.#nextDrain++;
    return new Promise((resolve) => {
      this.#drains.set(id, resolve);
      worker.postMessage({ type: "drain", id } satisfies ThreadMessage);
    });
  }

  /** Stops the thread at once, as if it had crashed (fault injection for tests); it is started again. */
  async crash(): Promise<void> {
    await this.#worker?.terminate();
  }

  /** Lets the thread finish what it holds, then stops it and closes the spool. */
  async stop(): Promise<void> {
    if (this.#state === "started") {
      this.#state = "stopping";
      clearTimeout(this.#restart);
      this.#bus.off("channels.changed", this.#onChannelsChanged);
      const worker = this.#worker;
      if (worker) {
        const exited = new Promise((resolve) => worker.once("exit", resolve));
        worker.postMessage({ type: "stop" } satisfies ThreadMessage);
        await exited;
      }
    }
    this.#spool.close();
  }

  #spawn(): void {
    const worker = startTsThread(new URL("./webhookThreadMain.ts", import.meta.url), this.#data);
    this.#worker = worker;
    const logStream = (this.#log as unknown as Record<symbol, { write(line: string): void }>)[
      pino.symbols.streamSym
    ];
    worker.on("message", (m: ThreadMessage) => {
      switch (m.type) {
        case "committed":
          this.#bus.emit("committed");
          return;
        case "acked":
          this.#acked(m.seq, m.end);
          return;
        case "drained":
          this.#drains.get(m.id)?.();
          this.#drains.delete(m.id);
          return;
        case "log":
          logStream?.write(m.line);
          return;
        default:
          return;
      }
    });
    worker.on("error", (err) => this.#log.error({ err }, "webhook thread failed"));
    worker.on("exit", (code) => {
      this.#worker = null;
      // It may have died holding the database lock, or waiting for it.
      this.#lock.abandon(WEBHOOK_PARTY);
      if (this.#state !== "started") return;
      // Whatever it had not committed is still here (and in the spool): a new thread gets all of it again.
      this.#log.error({ code }, "webhook thread stopped; starting it again");
      this.#restart = setTimeout(() => this.#spawn(), RESTART_MS);
    });
    for (const chunk of this.#unacked) worker.postMessage({ type: "chunk", chunk } satisfies ThreadMessage);
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
