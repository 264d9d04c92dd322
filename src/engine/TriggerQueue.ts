import type { ContactInput } from "../core/contact/contactSchema.ts";
import { contactStore } from "../store/contactStore.ts";
import { inTransaction } from "../store/inTransaction.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import type { Workflow } from "../store/workflows/workflowStore.ts";
import { type StartedRun, startRunIn } from "./startRunIn.ts";

/** A webhook trigger with its templates already rendered: only database work is left. */
export interface PreparedTrigger {
  workflow: Workflow;
  contact: ContactInput;
  payload: Record<string, unknown>;
  dedupeKey: string | null;
}

interface Pending extends PreparedTrigger {
  resolve(run: StartedRun): void;
  reject(err: unknown): void;
}

/** Triggers committed together at most; bounds how long one transaction holds the database. */
const MAX_BATCH = 256;

async function startIn(ctx: StoreContext, tx: Tx, t: PreparedTrigger): Promise<StartedRun> {
  const { contact } = await contactStore.upsertIn(ctx, tx, t.workflow.workspaceId, t.contact);
  return startRunIn(ctx, tx, {
    workflow: t.workflow,
    contactId: contact.id,
    trigger: t.payload,
    dedupeKey: t.dedupeKey,
  });
}

/**
 * Group commit for webhook triggers: triggers that arrive in the same turn of the event loop are written in one
 * transaction (contact upsert + run + dedupe key each), and each caller is answered only after that commit, so a
 * `202` still means the run is stored. A commit costs far more than the few inserts of one trigger, which is
 * what caps a busy shop's order webhooks. Optimistic: if anything in the batch fails, each trigger is retried
 * in its own transaction, so one bad trigger fails alone.
 */
export class TriggerQueue {
  readonly #ctx: StoreContext;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  submit(t: PreparedTrigger): Promise<StartedRun> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...t, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, MAX_BATCH);
    if (this.#queue.length > 0) this.#schedule();
    if (batch.length === 0) return;
    if (batch.length > 1) {
      let started: StartedRun[] | null = null;
      try {
        started = await inTransaction(
          this.#ctx,
          async (tx) => {
            const out: StartedRun[] = [];
            for (const t of batch) out.push(await startIn(this.#ctx, tx, t));
            return out;
          },
          { deferWrites: true },
        );
      } catch {
        started = null;
      }
      if (started) {
        for (const [i, t] of batch.entries()) t.resolve(started[i] as StartedRun);
        return;
      }
    }
    await Promise.all(
      batch.map((t) => inTransaction(this.#ctx, (tx) => startIn(this.#ctx, tx, t)).then(t.resolve, t.reject)),
    );
  }
}
