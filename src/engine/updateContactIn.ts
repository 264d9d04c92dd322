import { contactPatchSchema } from "../core/contact/contactSchema.ts";
import type { Actor } from "../core/conversation/conversationSchema.ts";
import { AppError } from "../core/errors.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import { writeEvents } from "../store/writeEvents.ts";
import type { Effect } from "./stepTypes.ts";

// The contacts API's own limits: a template can render anything, but a workflow stores only what the API would.
const renderedSchema = contactPatchSchema.pick({ name: true, fields: true });

/** The effect's rendered name and fields, checked (and the name trimmed) as the contacts API would. */
function checked(e: Extract<Effect, { kind: "update_contact" }>) {
  const parsed = renderedSchema.safeParse({ name: e.name, fields: e.fields });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw AppError.validation(issue?.path.join(".") || "contact", issue?.message ?? "invalid");
}

/**
 * The update_contact effect inside the run's transaction; a rendered name or field the contacts API would refuse
 * fails the step instead of being stored. The event names the workflow, so a workflow triggered by
 * contact updates is not re-triggered by its own change.
 */
export async function updateContactIn(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  contactId: string,
  e: Extract<Effect, { kind: "update_contact" }>,
  by: Actor,
): Promise<string[]> {
  const input = checked(e);
  const row = await tx
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", contactId)
    .executeTakeFirst();
  if (!row) throw AppError.notFound("Contact", contactId);
  const changes: string[] = [];
  const fields: Record<string, unknown> = JSON.parse(row.fields);
  for (const [k, v] of Object.entries(input.fields ?? {})) {
    if (v === null ? !(k in fields) : fields[k] === v) continue;
    if (v === null) delete fields[k];
    else fields[k] = v;
    changes.push(`fields.${k}`);
  }
  const before: string[] = JSON.parse(row.tags);
  const tags = [...new Set([...before.filter((t) => !e.removeTags?.includes(t)), ...(e.addTags ?? [])])];
  const tagsChanged = JSON.stringify(tags) !== JSON.stringify(before);
  if (tagsChanged) changes.push("tags");
  const name = input.name !== undefined && input.name !== row.name ? input.name : row.name;
  if (name !== row.name) changes.push("name");
  if (changes.length === 0) return changes;
  await tx
    .updateTable("contacts")
    .set({ fields: JSON.stringify(fields), tags: JSON.stringify(tags), name, updated_at: ctx.now() })
    .where("id", "=", contactId)
    .execute();
  if (tagsChanged) {
    await tx.deleteFrom("contact_tags").where("contact_id", "=", contactId).execute();
    if (tags.length)
      await tx
        .insertInto("contact_tags")
        .values(tags.map((tag) => ({ workspace_id: workspaceId, contact_id: contactId, tag })))
        .execute();
  }
  const tagDiff = tagsChanged
    ? {
        tagsAdded: tags.filter((t) => !before.includes(t)),
        tagsRemoved: before.filter((t) => !tags.includes(t)),
      }
    : {};
  await writeEvents(
    ctx,
    tx,
    { workspaceId, contactId },
    [{ type: "contact.updated", contactId, changes, ...tagDiff }],
    { by },
  );
  return changes;
}
