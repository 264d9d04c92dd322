import { z } from "zod";
import { AppError } from "../core/errors.ts";
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

const CHUNK = 500;

/**
 * Starts a batch of runs, one per contact (listed, by phone, or by audience filter; default: the workflow's own
 * audience), and returns the batch whose progress the API reports.
 */
export async function startBatch(
  ctx: StoreContext,
  wf: Workflow,
  input: ManualRunInput,
): Promise<{ batchId: string; total: number }> {
  if (!wf.enabled) throw new AppError("conflict", `Workflow "${wf.name}" is disabled`);
  const ids = new Set<string>();
  for (const id of input.contact_ids ?? []) ids.add((await contactStore.get(ctx, wf.workspaceId, id)).id);
  for (const [i, p] of (input.phones ?? []).entries()) {
    const { contact } = await contactStore.upsert(ctx, wf.workspaceId, {
      phone: normalizePhone(p, `phones[${i}]`),
    });
    ids.add(contact.id);
  }
  const t = wf.definition.trigger;
  const audience = input.audience ?? (t.type === "manual" || t.type === "schedule" ? t.audience : undefined);
  if (audience && !input.contact_ids && !input.phones)
    for (const id of await selectAudience(ctx.db, wf.workspaceId, audience, ctx.now())) ids.add(id);
  if (ids.size === 0 && !audience)
    throw AppError.validation("contact_ids", "give contact_ids, phones or an audience");
  const batchId = newId();
  const all = [...ids];
  await inTransaction(ctx, (tx) =>
    tx
      .insertInto("workflow_batches")
      .values({
        id: batchId,
        workspace_id: wf.workspaceId,
        workflow_id: wf.id,
        total: all.length,
        created_at: ctx.now(),
      })
      .execute(),
  );
  for (let i = 0; i < all.length; i += CHUNK) {
    await inTransaction(ctx, async (tx) => {
      for (const contactId of all.slice(i, i + CHUNK))
        await startRunIn(ctx, tx, { workflow: wf, contactId, trigger: input.data ?? {}, batchId });
    });
  }
  return { batchId, total: all.length };
}
