import { z } from "zod";
import { AppError, type FieldIssue } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import { normalizePhone } from "../core/normalizePhone.ts";
import { audienceSchema } from "../core/workflow/audienceSchema.ts";
import { contactStore } from "../store/contactStore.ts";
import { inTransaction } from "../store/inTransaction.ts";
import type { StoreContext } from "../store/storeContext.ts";
import type { Workflow } from "../store/workflows/workflowStore.ts";
import { selectAudience } from "./selectAudience.ts";
import { startRunIn } from "./startRunIn.ts";

export const manualRunInputSchema = z
  .strictObject({
    contact_ids: z.array(z.string().min(1).max(100)).max(10_000).optional(),
    phones: z.array(z.string().min(1).max(40)).max(10_000).optional(),
    audience: audienceSchema.optional(),
    data: z.record(z.string(), z.unknown()).optional().describe("Becomes each run's `trigger` data"),
  })
  .meta({ id: "ManualRunInput" });
export type ManualRunInput = z.infer<typeof manualRunInputSchema>;

/** Runs started per transaction. */
const CHUNK = 500;
/** Ids or phones per `in (…)` read: well inside SQLite's and PostgreSQL's bound-parameter limits. */
const READ_CHUNK = 1000;
/** Issues named in one refusal; a list of thousands of bad entries needn't come back whole. */
const MAX_ISSUES = 20;

function refuse(issues: FieldIssue[]): never {
  const shown = issues.slice(0, MAX_ISSUES);
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : "";
  throw new AppError(
    "validation",
    `${shown.map((i) => `${i.field}: ${i.message}`).join("; ")}${more}`,
    shown,
  );
}

/** Every phone normalized, or a refusal naming each bad entry (`phones[2]`). */
function normalizePhones(phones: string[]): string[] {
  const issues: FieldIssue[] = [];
  const out: string[] = [];
  for (const [i, p] of phones.entries()) {
    try {
      out.push(normalizePhone(p, `phones[${i}]`));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      issues.push(...err.errors);
    }
  }
  if (issues.length) refuse(issues);
  return out;
}

/** Checks that every listed contact is the workspace's, in a few reads; a refusal names each unknown entry. */
async function checkContactIds(ctx: StoreContext, workspaceId: string, ids: string[]): Promise<void> {
  const distinct = [...new Set(ids)];
  const found = new Set<string>();
  for (let i = 0; i < distinct.length; i += READ_CHUNK) {
    const rows = await ctx.db
      .selectFrom("contacts")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", distinct.slice(i, i + READ_CHUNK))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  const issues = ids.flatMap((id, i) =>
    found.has(id) ? [] : [{ field: `contact_ids[${i}]`, message: `no contact ${id} in this workspace` }],
  );
  if (issues.length) refuse(issues);
}

/**
 * Starts a batch of runs, one per contact (listed, by phone, or by audience filter; default: the workflow's own
 * audience), and returns the batch whose progress the API reports. Every phone and contact id is checked before
 * anything is written, so a refused request leaves no contact or batch behind; the phones' contacts and the
 * batch are written in one transaction, the runs after it in chunks.
 */
export async function startBatch(
  ctx: StoreContext,
  wf: Workflow,
  input: ManualRunInput,
): Promise<{ batchId: string; total: number }> {
  if (!wf.enabled) throw new AppError("conflict", `Workflow "${wf.name}" is disabled`);
  const phones = [...new Set(normalizePhones(input.phones ?? []))];
  const listed = input.contact_ids ?? [];
  await checkContactIds(ctx, wf.workspaceId, listed);
  const ids = new Set<string>(listed);
  const t = wf.definition.trigger;
  const audience = input.audience ?? (t.type === "manual" || t.type === "schedule" ? t.audience : undefined);
  if (audience && !input.contact_ids && !input.phones)
    for (const id of await selectAudience(ctx.db, wf.workspaceId, audience, ctx.now())) ids.add(id);
  if (ids.size === 0 && phones.length === 0 && !audience)
    throw AppError.validation("contact_ids", "give contact_ids, phones or an audience");
  const batchId = newId();
  const all = await inTransaction(ctx, async (tx) => {
    for (let i = 0; i < phones.length; i += READ_CHUNK) {
      const chunk = phones.slice(i, i + READ_CHUNK);
      const known = await contactStore.rowsByPhone(tx, wf.workspaceId, chunk);
      for (const phone of chunk) {
        const row = known.get(phone);
        if (row) ids.add(row.id);
        else ids.add((await contactStore.upsertIn(ctx, tx, wf.workspaceId, { phone }, null)).contact.id);
      }
    }
    const all = [...ids];
    await tx
      .insertInto("workflow_batches")
      .values({
        id: batchId,
        workspace_id: wf.workspaceId,
        workflow_id: wf.id,
        total: all.length,
        created_at: ctx.now(),
      })
      .execute();
    return all;
  });
  for (let i = 0; i < all.length; i += CHUNK) {
    await inTransaction(ctx, async (tx) => {
      for (const contactId of all.slice(i, i + CHUNK))
        await startRunIn(ctx, tx, { workflow: wf, contactId, trigger: input.data ?? {}, batchId });
    });
  }
  return { batchId, total: all.length };
}
