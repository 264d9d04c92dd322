import { randomUUID } from "node:crypto";
import { BroadcastChannel } from "node:worker_threads";

/** Threads that can share one lock: the main thread (party 0) and the worker threads it starts. */
export const MAX_PARTIES = 8;
// Slots in the shared buffer: the next ticket handed out, the ticket now holding the lock, then per party: the
// ticket it holds or waits with and whether it has one, and a ticket left by a party that died and whether set.
const NEXT = 0;
const SERVING = 1;
const TICKET = 2;
const HAS_TICKET = TICKET + MAX_PARTIES;
const DEAD = HAS_TICKET + MAX_PARTIES;
const HAS_DEAD = DEAD + MAX_PARTIES;
const SLOTS = HAS_DEAD + MAX_PARTIES;

/** What another thread needs to take part in the same lock. */
export interface LockShare {
  buffer: SharedArrayBuffer;
  /** The BroadcastChannel the parties wake each other on. */
  channel: string;
}

/**
 * A first-come-first-served lock between the threads of one process that each hold a SQLite connection to the
 * same file. Each takes it around every use of its connection, so one thread's transaction never meets another's
 * write lock: SQLite's own busy handler would block the waiting thread's event loop in sleeps of 1 to 100 ms, and
 * a transaction that read before another connection committed could not write at all (SQLITE_BUSY_SNAPSHOT).
 * Waiting is asynchronous, so the main thread keeps answering HTTP meanwhile. Tickets make it fair: a thread that
 * releases and asks again queues behind the others.
 *
 * The counters live in shared memory; a thread that has to wait is woken by a message on a BroadcastChannel, not
 * by `Atomics.waitAsync`, whose wake-ups Node 20 loses between threads (seen here as threads waiting forever on a
 * lock that was free). A thread that dies with a ticket is `abandon`ed by the main thread: its turn is skipped.
 */
export class ThreadWriteLock {
  readonly share: LockShare;
  readonly #party: number;
  readonly #slots: Int32Array;
  readonly #channel: BroadcastChannel;
  #wake: (() => void) | null = null;

  /** A new lock (party 0), or party `party` of a lock made in another thread. */
  constructor(share?: LockShare, party = 0) {
    this.share = share ?? {
      buffer: new SharedArrayBuffer(SLOTS * 4),
      channel: `parley-db-lock-${randomUUID()}`,
    };
    if (!Number.isInteger(party) || party < 0 || party >= MAX_PARTIES)
      throw new RangeError(`party must be 0 to ${MAX_PARTIES - 1}`);
    this.#party = party;
    this.#slots = new Int32Array(this.share.buffer);
    this.#channel = new BroadcastChannel(this.share.channel);
    this.#channel.onmessage = () => this.#wakeUp();
    this.#channel.unref();
  }

  async acquire(): Promise<void> {
    const ticket = Atomics.add(this.#slots, NEXT, 1);
    Atomics.store(this.#slots, TICKET + this.#party, ticket);
    Atomics.store(this.#slots, HAS_TICKET + this.#party, 1);
    while (Atomics.load(this.#slots, SERVING) !== ticket) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        // Released between the check above and now: its message may already be spent on an earlier wait.
        if (Atomics.load(this.#slots, SERVING) === ticket) this.#wakeUp();
      });
    }
  }

  release(): void {
    Atomics.store(this.#slots, HAS_TICKET + this.#party, 0);
    Atomics.add(this.#slots, SERVING, 1);
    this.#passOn();
  }

  /** Party `party`'s thread is gone: the ticket it held or waited with is skipped. */
  abandon(party: number): void {
    if (Atomics.exchange(this.#slots, HAS_TICKET + party, 0) === 0) return;
    Atomics.store(this.#slots, DEAD + party, Atomics.load(this.#slots, TICKET + party));
    Atomics.store(this.#slots, HAS_DEAD + party, 1);
    this.#passOn();
    this.#wakeUp();
  }

  /** Skips the turns of dead parties, then wakes whoever waits. */
  #passOn(): void {
    for (let skipped = true; skipped; ) {
      skipped = false;
      const serving = Atomics.load(this.#slots, SERVING);
      for (let p = 0; p < MAX_PARTIES; p++) {
        if (Atomics.load(this.#slots, HAS_DEAD + p) !== 1 || Atomics.load(this.#slots, DEAD + p) !== serving)
          continue;
        // Whoever clears the mark moves the turn on; another thread seeing the same mark leaves it.
        if (Atomics.compareExchange(this.#slots, HAS_DEAD + p, 1, 0) !== 1) continue;
        Atomics.compareExchange(this.#slots, SERVING, serving, serving + 1);
        skipped = true;
        break;
      }
    }
    if (Atomics.load(this.#slots, NEXT) !== Atomics.load(this.#slots, SERVING)) this.#channel.postMessage(0);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  close(): void {
    this.#channel.close();
  }
}
