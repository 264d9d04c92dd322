import type { EventEmitter } from "node:events";

export interface PumpOptions {
  /** One pass: does a batch of work and says whether more is likely waiting (e.g. the batch was full). */
  pass: () => Promise<boolean>;
  onError: (err: unknown) => void;
  /** Wakes the pump when `event` (default: the store's `committed`) is emitted on this bus. */
  bus?: EventEmitter;
  event?: string;
  /** Safety-net wake-up for timers coming due and wake-ups missed (e.g. commits by other processes). */
  intervalMs?: number;
  /** Bus and timer wake-ups are ignored while this says no (direct `wake()` and `run()` calls are not). */
  gate?: () => boolean;
  /**
   * Coalesce wake-ups to one per turn of the event loop: commits come in bursts, and one pass serves them all.
   * Off for consumers that must react within the same turn.
   */
  coalesce?: boolean;
  /** Let the event loop turn between passes (I/O, HTTP answers) when the passes are long and synchronous. */
  yieldBetweenPasses?: boolean;
  /**
   * A pass asked for by a wake-up starts at least this long after the previous one started, so that a stream of
   * commits is served by one pass per interval instead of one each (a pass that found more work goes on at once).
   */
  minGapMs?: number;
}

/**
 * The background loop shared by the workers (delivery, webhook processing, workflow runner and triggers, live
 * events): runs passes until one reports no more work, never two passes at once, and a wake-up that arrives
 * during a pass schedules exactly one more pass instead of being lost.
 */
export class Pump {
  readonly #o: PumpOptions;
  #state: "idle" | "started" | "stopped" = "idle";
  #running: Promise<void> | null = null;
  #again = false;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #lastPassAt = Number.NEGATIVE_INFINITY;
  readonly #tick = () => {
    if (!this.#o.gate || this.#o.gate()) this.wake();
  };

  constructor(options: PumpOptions) {
    this.#o = { coalesce: true, ...options };
  }

  /** Asks for a pass soon (once started). */
  readonly wake = (): void => {
    if (this.#state !== "started") return;
    if (!this.#o.coalesce) {
      void this.run();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.run();
    });
  };

  get stopped(): boolean {
    return this.#state === "stopped";
  }

  start(): void {
    if (this.#state === "started") return;
    this.#state = "started";
    this.#o.bus?.on(this.#o.event ?? "committed", this.#tick);
    if (this.#o.intervalMs) {
      this.#timer = setInterval(this.#tick, this.#o.intervalMs);
      this.#timer.unref();
    }
    this.wake();
  }

  /** Stops waking and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    this.#state = "stopped";
    this.#o.bus?.off(this.#o.event ?? "committed", this.#tick);
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * Runs passes until there is no more work (also before `start`, e.g. to drain in tests); resolves when they
   * end. When passes are already running it asks them for one more and resolves at once.
   */
  run(): Promise<void> {
    if (this.#state === "stopped") return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return Promise.resolve();
    }
    this.#running = this.#loop();
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      let more = false;
      do {
        const wait = more ? 0 : this.#lastPassAt + (this.#o.minGapMs ?? 0) - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.stopped) break;
        // Wake-ups so far (including those during the wait) are served by this pass.
        this.#again = false;
        this.#lastPassAt = performance.now();
        more = await this.#o.pass();
        if (more) this.#again = true;
        if (this.#again && this.#o.yieldBetweenPasses) await new Promise((r) => setImmediate(r));
      } while (this.#again && this.#state !== "stopped");
    } catch (err) {
      this.#o.onError(err);
    } finally {
      // In the same step as the last check of #again, so a run() arriving now starts a new loop, never lost.
      this.#running = null;
    }
  }
}
