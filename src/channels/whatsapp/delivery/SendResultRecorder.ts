import type { Logger } from "pino";
import type { MessageRow } from "../../../store/databaseSchema.ts";
import { inTransaction } from "../../../store/inTransaction.ts";
import type { StoreContext } from "../../../store/storeContext.ts";
import { recordSendResult } from "./recordSendResult.ts";
import type { SendResult } from "./sendOne.ts";

type Pending = { m: MessageRow; r: SendResult; done: () => void };

/** Results per transaction at most: bounds how long one commit holds SQLite's connection. */
const MAX_BATCH = 500;

/**
 * Records send results many per transaction: every Graph answer that came back in the same turn of the event
 * loop is recorded in one commit (at 1,000 sends a second, a transaction each was most of the worker's cost and
 * woke every listener a thousand times a second). The duplicate-send guarantee is unchanged: until its commit
 * the row stays `sending` with its lease, exactly as while the call was in flight. If the batch fails, each
 * result is recorded alone, so one bad row can't hold the others back.
 */
export class SendResultRecorder {
  readonly #store: StoreContext;
  readonly #log: Logger;
  #pending: Pending[] = [];
  #scheduled = false;
  #flushing = false;

  constructor(store: StoreContext, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** Resolves once the result is committed (or could not be, which is logged). */
  record(m: MessageRow, r: SendResult): Promise<void> {
    return new Promise((done) => {
      this.#pending.push({ m, r, done });
      if (!this.#scheduled && !this.#flushing) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        try {
          await inTransaction(
            this.#store,
            async (tx) => {
              for (const p of batch) await recordSendResult(this.#store, tx, p.m, p.r, this.#log);
            },
            { deferWrites: true },
          );
        } catch (err) {
          this.#log.warn({ err, count: batch.length }, "recording a batch of sends failed; one by one");
          for (const p of batch) {
            try {
              await inTransaction(this.#store, (tx) =>
                recordSendResult(this.#store, tx, p.m, p.r, this.#log),
              );
            } catch (e) {
              // The row stays `sending`: failed as send_interrupted at the next start, never resent.
              this.#log.error({ err: e, messageId: p.m.id }, "could not record a send result");
            }
          }
        }
        for (const p of batch) p.done();
      }
    } finally {
      this.#flushing = false;
    }
  }
}
