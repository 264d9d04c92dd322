import type { Logger } from "pino";
import type { MessageRow } from "../../../store/databaseSchema.ts";
import { GroupCommit } from "../../../store/GroupCommit.ts";
import { inTransaction } from "../../../store/inTransaction.ts";
import type { StoreContext } from "../../../store/storeContext.ts";
import { recordSendResult } from "./recordSendResult.ts";
import type { SendResult } from "./sendOne.ts";

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
  readonly #commits: GroupCommit<{ m: MessageRow; r: SendResult }, void>;

  constructor(store: StoreContext, log: Logger) {
    this.#commits = new GroupCommit({
      maxBatch: MAX_BATCH,
      commitBatch: async (items) => {
        await inTransaction(
          store,
          async (tx) => {
            for (const { m, r } of items) await recordSendResult(store, tx, m, r, log);
          },
          { deferWrites: true },
        );
        return items.map(() => undefined);
      },
      commitOne: async ({ m, r }) => {
        try {
          await inTransaction(store, (tx) => recordSendResult(store, tx, m, r, log));
        } catch (err) {
          // The row stays `sending`: failed as send_interrupted at the next start, never resent.
          log.error({ err, messageId: m.id }, "could not record a send result");
        }
      },
      onBatchError: (err, count) => log.warn({ err, count }, "recording a batch of sends failed; one by one"),
    });
  }

  /** Resolves once the result is committed (or could not be, which is logged). */
  record(m: MessageRow, r: SendResult): Promise<void> {
    return this.#commits.submit({ m, r });
  }
}
