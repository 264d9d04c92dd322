import type { Audience } from "../core/workflow/audienceSchema.ts";
import { parseDuration } from "../core/workflow/parseDuration.ts";
import type { Db } from "../store/storeContext.ts";

const MAX_AUDIENCE = 100_000;

/** The ids of a workspace's contacts matching an audience filter (tags in SQL, custom fields compared here). */
export async function selectAudience(
  db: Db,
  workspaceId: string,
  audience: Audience,
  now: number,
): Promise<string[]> {
  let q = db
    .selectFrom("contacts")
    .select(["contacts.id", "contacts.fields"])
    .where("contacts.workspace_id", "=", workspaceId);
  for (const tag of audience.tags ?? []) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("contact_tags")
          .select("contact_tags.tag")
          .whereRef("contact_tags.contact_id", "=", "contacts.id")
          .where("contact_tags.tag", "=", tag),
      ),
    );
  }
  if (!audience.include_opted_out) q = q.where("contacts.opted_out", "=", 0);
  if (audience.last_inbound_before) {
    const cutoff = now - (parseDuration(audience.last_inbound_before) ?? 0);
    q = q.where((eb) =>
      eb.or([
        eb("contacts.last_inbound_at", "<", cutoff),
        eb.and([eb("contacts.last_inbound_at", "is", null), eb("contacts.created_at", "<", cutoff)]),
      ]),
    );
  }
  const rows = await q.orderBy("contacts.id").limit(MAX_AUDIENCE).execute();
  const wanted = Object.entries(audience.fields ?? {});
  return rows
    .filter((r) => {
      if (wanted.length === 0) return true;
      const fields: Record<string, unknown> = JSON.parse(r.fields);
      return wanted.every(([k, v]) => String(fields[k]) === String(v));
    })
    .map((r) => r.id);
}
