import { contactInputSchema } from "../core/contact/contactSchema.ts";
import { AppError } from "../core/errors.ts";
import { explainZodIssues, type RawZodIssue } from "../core/explainZodIssues.ts";
import { normalizePhone } from "../core/normalizePhone.ts";
import { renderLiquid, renderLiquidRequired } from "../core/workflow/liquidRenderer.ts";
import type { StoreContext } from "../store/storeContext.ts";
import type { Workflow } from "../store/workflows/workflowStore.ts";
import type { StartedRun } from "./startRunIn.ts";
import { TriggerQueue } from "./TriggerQueue.ts";

// One queue per database: every trigger route of the process shares its group commits.
const queues = new WeakMap<StoreContext, TriggerQueue>();

/** A template that fails to render on this payload (e.g. an object without a usable text form) is the payload's fault. */
async function render(field: string, source: string, scope: Record<string, unknown>): Promise<string> {
  try {
    return await renderLiquid(source, scope);
  } catch (err) {
    throw AppError.validation(field, `cannot render ${source} from the payload: ${(err as Error).message}`);
  }
}

/**
 * The rendered dedupe key, or null when it renders empty (an author's `| default: ""` makes it optional). A
 * variable without a value is refused: `deal-{{ trigger.deal.id }}` rendering `deal-` for every payload without
 * a deal would hand all of them the first one's run.
 */
async function renderDedupeKey(source: string, scope: Record<string, unknown>): Promise<string | null> {
  let out: Awaited<ReturnType<typeof renderLiquidRequired>>;
  try {
    out = await renderLiquidRequired(source, scope);
  } catch (err) {
    throw AppError.validation(
      "dedupe_key",
      `cannot render ${source} from the payload: ${(err as Error).message}`,
    );
  }
  if ("missing" in out)
    throw AppError.validation(
      "dedupe_key",
      `the payload has no value for ${out.missing} (dedupe key ${source})`,
    );
  return out.text.trim() || null;
}

/** Checks the rendered contact against the contacts API's own limits; issues are named `contact.<path>`. */
function checkContact(contact: { phone: string; name?: string; fields?: Record<string, unknown> }) {
  const parsed = contactInputSchema.safeParse(contact);
  if (parsed.success) return parsed.data;
  throw AppError.invalid(
    explainZodIssues(parsed.error.issues as RawZodIssue[], ["contact"]).map(({ field, message }) => ({
      field,
      message,
    })),
  );
}

/**
 * A webhook trigger: maps the payload to a contact (phone, name, fields rendered from `trigger.*`), then starts
 * a run, or returns the existing one when the rendered dedupe key was seen before. Everything is rendered and
 * checked before any database work, so a refused payload writes nothing. Resolves once it is committed.
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
  const phoneText = (await render("contact.phone", t.contact.phone, scope)).trim();
  if (!phoneText)
    throw AppError.validation("contact.phone", `the payload gave no phone (${t.contact.phone})`);
  const phone = normalizePhone(phoneText, "contact.phone");
  const name = t.contact.name ? (await render("contact.name", t.contact.name, scope)).trim() : "";
  const fields: Record<string, unknown> = {};
  // A field the payload gives no value for keeps what the contact has, as an empty name does.
  for (const [k, v] of Object.entries(t.contact.fields ?? {})) {
    const value = await render(`contact.fields.${k}`, v, scope);
    if (value.trim() !== "") fields[k] = value;
  }
  const contact = checkContact({
    phone,
    ...(name ? { name } : {}),
    ...(Object.keys(fields).length ? { fields } : {}),
  });
  const dedupeKey = t.dedupe_key ? await renderDedupeKey(t.dedupe_key, scope) : null;
  let queue = queues.get(ctx);
  if (!queue) {
    queue = new TriggerQueue(ctx);
    queues.set(ctx, queue);
  }
  return queue.submit({ workflow: wf, contact, payload, dedupeKey });
}
