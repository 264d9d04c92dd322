import type { EventEmitter } from "node:events";
import type { Worker } from "node:worker_threads";
import pino, { type Logger } from "pino";
import type { ThreadWriteLock } from "../store/ThreadWriteLock.ts";
import { startTsThread } from "./startTsThread.ts";
import type { LinkMessage } from "./threadLink.ts";

const RESTART_MS = 1000;
const STOP_MS = 30_000;

export interface DbThreadOptions<Out> {
  /** Names the thread in logs and marks its commits on the bus (`committed` is emitted with `{ from: name }`). */
  name: string;
  entry: URL;
  /** The thread's workerData; `party` and `lock` are added. */
  data: object;
  party: number;
  lock: ThreadWriteLock;
  log: Logger;
  bus: EventEmitter;
  /** The thread's own messages (everything but `committed` and `log`). */
  onMessage?: (m: Out) => void;
  /** After each start of the thread, first one included: what it must be told (again). */
  onSpawn?: () => void;
}

/**
 * The main thread's handle on a worker thread with its own SQLite connection (the webhook thread):
 * starts it through tsx, passes on its log lines and its commits (as `committed` on the bus, so the live
 * stream, triggers and workers here wake up), and starts it again when it dies, skipping any turn it held in
 * the database lock.
 */
export class DbThread<In extends { type: string }, Out extends { type: string }> {
  readonly #o: DbThreadOptions<Out>;
  readonly #log: Logger;
  #worker: Worker | null = null;
  #state: "idle" | "started" | "stopping" | "stopped" = "idle";
  #restart: NodeJS.Timeout | undefined;

  constructor(options: DbThreadOptions<Out>) {
    this.#o = options;
    this.#log = options.log.child({ component: `${options.name}-thread` });
  }

  get running(): boolean {
    return this.#worker !== null;
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "started";
    this.#spawn();
  }

  /** To the thread now running, if any (a thread started later is told what it needs by `onSpawn`). */
  post(message: In): void {
    this.#worker?.postMessage(message);
  }

  /** Stops the thread at once, as if it had crashed (fault injection for tests); it is started again. */
  async crash(): Promise<void> {
    await this.#worker?.terminate();
  }

  /** Asks the thread to finish and stop (`{ type: "stop" }`), and waits until it has. */
  async stop(): Promise<void> {
    if (this.#state !== "started") return;
    this.#state = "stopping";
    clearTimeout(this.#restart);
    const worker = this.#worker;
    if (worker) {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.postMessage({ type: "stop" });
      // What it had not committed is still in the database's spool or queue: a thread that hangs is cut off.
      const timer = setTimeout(() => void worker.terminate(), STOP_MS);
      await exited;
      clearTimeout(timer);
    }
    this.#state = "stopped";
  }

  #spawn(): void {
    const { lock, party } = this.#o;
    const worker = startTsThread(this.#o.entry, { ...this.#o.data, lock: lock.share, party });
    this.#worker = worker;
    const logStream = (this.#log as unknown as Record<symbol, { write(line: string): void }>)[
      pino.symbols.streamSym
    ];
    worker.on("message", (m: LinkMessage | Out) => {
      if (m.type === "committed") this.#o.bus.emit("committed", { from: this.#o.name });
      else if (m.type === "log" && "line" in m) logStream?.write(m.line);
      else this.#o.onMessage?.(m as Out);
    });
    worker.on("error", (err) => this.#log.error({ err }, "thread failed"));
    worker.on("exit", (code) => {
      this.#worker = null;
      // It may have died holding the database lock, or waiting for it.
      lock.abandon(party);
      if (this.#state !== "started") return;
      this.#log.error({ code }, "thread stopped; starting it again");
      this.#restart = setTimeout(() => this.#spawn(), RESTART_MS);
    });
    this.#o.onSpawn?.();
  }
}
