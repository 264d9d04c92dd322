import type { MessagePort } from "node:worker_threads";

/** Slots in the shared buffer: the next ticket handed out, and the ticket now holding the lock. */
const NEXT = 0;
const SERVING = 1;

/**
 * A first-come-first-served lock between two threads of one process that each hold a SQLite connection to the
 * same file. Each takes it around every use of its connection, so one thread's transaction never meets the
 * other's write lock: SQLite's own busy handler would block the waiting thread's event loop in sleeps of 1 to
 * 100 ms, and a transaction that read before another connection committed could not write at all
 * (SQLITE_BUSY_SNAPSHOT). Waiting is asynchronous, so the main thread keeps answering HTTP meanwhile. Tickets
 * make it fair: a thread that releases and asks again queues behind the other.
 *
 * The ticket counters live in shared memory; a thread that has to wait is woken by a message from the other
 * (`connect`), not by `Atomics.waitAsync`, whose wake-ups Node 20 loses between threads (seen here as two
 * threads waiting forever on a lock that was free).
 */
export class ThreadWriteLock {
  readonly buffer: SharedArrayBuffer;
  readonly #slots: Int32Array;
  #port: MessagePort | null = null;
  #wake: (() => void) | null = null;
  /** This thread's ticket while it waits for or holds the lock. */
  #ticket: number | null = null;

  /** A new lock, or the same lock in another thread when given the buffer it was made with. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.buffer = buffer;
    this.#slots = new Int32Array(buffer);
  }

  /** The port to the other thread's side of this lock (one end of a MessageChannel each). */
  connect(port: MessagePort): void {
    this.#port?.close();
    this.#port = port;
    port.on("message", () => {
      const wake = this.#wake;
      this.#wake = null;
      wake?.();
    });
    port.unref();
  }

  async acquire(): Promise<void> {
    const ticket = Atomics.add(this.#slots, NEXT, 1);
    this.#ticket = ticket;
    while (Atomics.load(this.#slots, SERVING) !== ticket) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        // Released between the check above and now: its message may already be spent on an earlier wait.
        if (Atomics.load(this.#slots, SERVING) === ticket) {
          this.#wake = null;
          resolve();
        }
      });
    }
  }

  release(): void {
    this.#ticket = null;
    const serving = Atomics.add(this.#slots, SERVING, 1) + 1;
    // A thread holds at most one ticket, so a ticket still out belongs to the other thread: wake it.
    if (Atomics.load(this.#slots, NEXT) !== serving) this.#port?.postMessage(0);
  }

  /**
   * The other thread is gone (it may have died holding the lock, or with a ticket out): forget its tickets, so
   * this thread's turn, or the next ticket, comes at once.
   */
  abandonOthers(): void {
    const mine = this.#ticket;
    if (mine === null) {
      Atomics.store(this.#slots, SERVING, Atomics.load(this.#slots, NEXT));
      return;
    }
    Atomics.store(this.#slots, NEXT, mine + 1);
    Atomics.store(this.#slots, SERVING, mine);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
