import type { ContactInput } from "../core/contact/contactSchema.ts";
import { newId } from "../core/newId.ts";
import { contactStore } from "../store/contactStore.ts";
import type { ContactRow } from "../store/databaseSchema.ts";
import { GroupCommit } from "../store/GroupCommit.ts";
import { inTransaction } from "../store/inTransaction.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import type { Workflow } from "../store/workflows/workflowStore.ts";
import { claimDedupeKey, type StartedRun, startRunIn } from "./startRunIn.ts";

/** A webhook trigger with its templates already rendered: only database work is left. */
export interface PreparedTrigger {
  workflow: Workflow;
  contact: ContactInput;
  payload: Record<string, unknown>;
  dedupeKey: string | null;
}

/** Triggers committed together at most; bounds how long one transaction holds the database. */
const MAX_BATCH = 256;

/**
 * One trigger in the caller's transaction. The dedupe key is claimed before the contact is written: a repeated
 * trigger answers with the existing run and leaves the contact as it is. `known` holds the batch's contacts as
 * read up front (knownContacts); an entry is dropped once its contact is written, so a phone seen again is read
 * afresh.
 */
async function startIn(
  ctx: StoreContext,
  tx: Tx,
  t: PreparedTrigger,
  known?: Map<string, ContactRow | null>,
): Promise<StartedRun> {
  const runId = newId();
  if (t.dedupeKey) {
    const existing = await claimDedupeKey(ctx, tx, t.workflow.id, t.dedupeKey, runId);
    if (existing) return existing;
  }
  const key = `${t.workflow.workspaceId}\n${t.contact.phone}`;
  const row = known?.has(key) ? (known.get(key) ?? null) : undefined;
  known?.delete(key);
  const { contact } = await contactStore.upsertIn(ctx, tx, t.workflow.workspaceId, t.contact, row);
  return startRunIn(ctx, tx, {
    workflow: t.workflow,
    contactId: contact.id,
    trigger: t.payload,
    runId,
  });
}

/** The batch's contacts in one read per workspace, keyed by workspace and phone; null where there is none. */
async function knownContacts(tx: Tx, batch: PreparedTrigger[]): Promise<Map<string, ContactRow | null>> {
  const phones = new Map<string, Set<string>>();
  for (const t of batch) {
    const ws = t.workflow.workspaceId;
    phones.set(ws, (phones.get(ws) ?? new Set()).add(t.contact.phone));
  }
  const known = new Map<string, ContactRow | null>();
  for (const [ws, set] of phones) {
    const rows = await contactStore.rowsByPhone(tx, ws, [...set]);
    for (const phone of set) known.set(`${ws}\n${phone}`, rows.get(phone) ?? null);
  }
  return known;
}

/**
 * Group commit for webhook triggers: triggers that arrive in the same turn of the event loop are written in one
 * transaction (dedupe key + contact upsert + run each), and each caller is answered only after that commit, so a
 * `202` still means the run is stored. A commit costs far more than the few inserts of one trigger, which is
 * what caps a busy shop's order webhooks. Optimistic: if anything in the batch fails, each trigger is retried
 * in its own transaction, so one bad trigger fails alone.
 */
export class TriggerQueue {
  readonly #commits: GroupCommit<PreparedTrigger, StartedRun>;

  constructor(ctx: StoreContext) {
    this.#commits = new GroupCommit({
      maxBatch: MAX_BATCH,
      // PostgreSQL commits trigger batches side by side; SQLite serialises them on its one connection anyway.
      overlap: true,
      commitBatch: (batch) =>
        inTransaction(
          ctx,
          async (tx) => {
            const known = await knownContacts(tx, batch);
            const out: StartedRun[] = [];
            for (const t of batch) out.push(await startIn(ctx, tx, t, known));
            return out;
          },
          { deferWrites: "trigger" },
        ),
      commitOne: (t) => inTransaction(ctx, (tx) => startIn(ctx, tx, t), { deferWrites: "trigger" }),
    });
  }

  submit(t: PreparedTrigger): Promise<StartedRun> {
    return this.#commits.submit(t);
  }
}
