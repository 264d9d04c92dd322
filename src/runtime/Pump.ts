import type { EventEmitter } from "node:events";

export interface PumpOptions {
  /** One pass: does a batch of work and says whether more is likely waiting (e.g. the batch was full). */
  pass: () => Promise<boolean>;
  onError: (err: unknown) => void;
  /** Wakes the pump after every local commit (the store's `committed` event). */
  bus?: EventEmitter;
  /** Safety-net wake-up for timers coming due and wake-ups missed (e.g. commits by other processes). */
  intervalMs?: number;
  /**
   * Coalesce wake-ups to one per turn of the event loop: commits come in bursts, and one pass serves them all.
   * Off for consumers that must react within the same turn.
   */
  coalesce?: boolean;
}

/**
 * A background loop shared by the workers (delivery, webhook processing, workflow runner and triggers, live
 * events): runs passes until one reports no more work, never two passes at once, and a wake-up that arrives
 * during a pass schedules exactly one more pass instead of being lost.
 */
export class Pump {
  readonly #o: PumpOptions;
  #running = false;
  #again = false;
  #stopped = true;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PumpOptions) {
    this.#o = { coalesce: true, ...options };
  }

  readonly wake = (): void => {
    if (this.#stopped) return;
    if (!this.#o.coalesce) {
      void this.#run();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  };

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#o.bus?.on("committed", this.wake);
    if (this.#o.intervalMs) {
      this.#timer = setInterval(this.wake, this.#o.intervalMs);
      this.#timer.unref();
    }
    this.wake();
  }

  /** Stops waking and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#o.bus?.off("committed", this.wake);
    clearInterval(this.#timer);
    while (this.#running) await new Promise((r) => setTimeout(r, 5));
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        if (await this.#o.pass()) this.#again = true;
      } while (this.#again && !this.#stopped);
    } catch (err) {
      this.#o.onError(err);
    } finally {
      this.#running = false;
    }
  }
}
