import { AppError } from "../core/errors.ts";
import { normalizePhone } from "../core/normalizePhone.ts";
import { renderLiquid } from "../core/workflow/liquidRenderer.ts";
import type { StoreContext } from "../store/storeContext.ts";
import type { Workflow } from "../store/workflows/workflowStore.ts";
import type { StartedRun } from "./startRunIn.ts";
import { TriggerQueue } from "./TriggerQueue.ts";

// One queue per database: every trigger route of the process shares its group commits.
const queues = new WeakMap<StoreContext, TriggerQueue>();

/**
 * A webhook trigger: maps the payload to a contact (phone, name, fields rendered from `trigger.*`), then starts
 * a run, or returns the existing one when the rendered dedupe key was seen before. Resolves once it is committed.
 */
export async function triggerWebhook(
  ctx: StoreContext,
  wf: Workflow,
  payload: Record<string, unknown>,
): Promise<StartedRun> {
  const t = wf.definition.trigger;
  if (t.type !== "webhook")
    throw new AppError("conflict", `Workflow "${wf.name}" has a ${t.type} trigger, not a webhook`);
  if (!wf.enabled) throw new AppError("conflict", `Workflow "${wf.name}" is disabled`);
  const scope = { trigger: payload };
  const phoneText = (await renderLiquid(t.contact.phone, scope)).trim();
  if (!phoneText)
    throw AppError.validation("contact.phone", `the payload gave no phone (${t.contact.phone})`);
  const phone = normalizePhone(phoneText, "contact.phone");
  const name = t.contact.name ? (await renderLiquid(t.contact.name, scope)).trim() : "";
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t.contact.fields ?? {})) fields[k] = await renderLiquid(v, scope);
  const dedupeKey = t.dedupe_key ? (await renderLiquid(t.dedupe_key, scope)).trim() || null : null;
  let queue = queues.get(ctx);
  if (!queue) {
    queue = new TriggerQueue(ctx);
    queues.set(ctx, queue);
  }
  return queue.submit({
    workflow: wf,
    contact: {
      phone,
      ...(name ? { name } : {}),
      ...(Object.keys(fields).length ? { fields } : {}),
    },
    payload,
    dedupeKey,
  });
}
