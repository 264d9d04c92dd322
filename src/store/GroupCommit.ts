export interface GroupCommitOptions<T, R> {
  /** Commits a whole batch in one transaction; the results in the items' order. */
  commitBatch(items: T[]): Promise<R[]>;
  /**
   * Commits one item alone: used for a batch of one, and for each item of a batch that failed, so one bad item
   * fails alone. Without it, a failed batch fails every item in it.
   */
  commitOne?(item: T): Promise<R>;
  /** Items per transaction at most: bounds how long one commit holds the database. */
  maxBatch?: number;
  /**
   * Start the next batch while one is still committing (PostgreSQL runs them side by side) rather than one
   * commit at a time, where whatever arrives meanwhile waits for the next batch.
   */
  overlap?: boolean;
  onBatchError?(err: unknown, size: number): void;
}

type Pending<T, R> = { item: T; resolve(r: R): void; reject(e: unknown): void };

/**
 * Group commit: items submitted in the same turn of the event loop are written in one transaction, and each
 * caller's promise settles only after that commit. A commit costs far more than the few rows of one item, so
 * this is what lets one SQLite file take thousands of webhooks, triggers or send results a second while every
 * acknowledgement still means "stored". Used by the webhook inbox, the trigger queue and the send recorder.
 */
export class GroupCommit<T, R> {
  readonly #o: GroupCommitOptions<T, R>;
  #pending: Pending<T, R>[] = [];
  #scheduled = false;
  #flushing = false;

  constructor(options: GroupCommitOptions<T, R>) {
    this.#o = options;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || (this.#flushing && !this.#o.overlap)) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void (this.#o.overlap ? this.#commitNext() : this.#drain());
    });
  }

  /** One commit at a time: whatever arrived while a commit was under way goes into the next one. */
  async #drain(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) await this.#commit(this.#take());
    } finally {
      this.#flushing = false;
    }
  }

  async #commitNext(): Promise<void> {
    const batch = this.#take();
    if (this.#pending.length > 0) this.#schedule();
    if (batch.length > 0) await this.#commit(batch);
  }

  #take(): Pending<T, R>[] {
    return this.#pending.splice(0, this.#o.maxBatch ?? this.#pending.length);
  }

  async #commit(batch: Pending<T, R>[]): Promise<void> {
    const { commitBatch, commitOne } = this.#o;
    if (batch.length > 1 || !commitOne) {
      try {
        const out = await commitBatch(batch.map((p) => p.item));
        for (const [i, p] of batch.entries()) p.resolve(out[i] as R);
        return;
      } catch (err) {
        if (!commitOne) {
          for (const p of batch) p.reject(err);
          return;
        }
        this.#o.onBatchError?.(err, batch.length);
      }
    }
    for (const p of batch) await commitOne(p.item).then(p.resolve, p.reject);
  }
}
