import type { WorkflowDefinition } from "../core/workflow/workflowDefinitionSchema.ts";
import type { WorkspaceSettings } from "../core/workspace/workspaceSchema.ts";
import type { ContactRow } from "../store/databaseSchema.ts";
import { deferredWrites } from "../store/deferredWrites.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import { clockIn } from "./buildScope.ts";

export type GuardrailVerdict =
  | { kind: "allow" }
  | { kind: "skip"; reason: "opted_out" | "marketing_opt_out" | "frequency_cap" }
  | { kind: "defer"; reason: "quiet_hours" | "messaging_limit"; until: number };

const DAY_MS = 24 * 60 * 60 * 1000;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** When `now` falls in the quiet hours (in `timeZone`), the time they end; else null. */
export function quietHoursEnd(
  now: number,
  quiet: { start: string; end: string } | null,
  timeZone: string,
): number | null {
  if (!quiet) return null;
  const local = clockIn(now, timeZone);
  const m = local.hour * 60 + local.minute;
  const s = minutesOf(quiet.start);
  const e = minutesOf(quiet.end);
  const inside = s < e ? m >= s && m < e : s > e ? m >= s || m < e : false;
  if (!inside) return null;
  const wait = (e - m + 1440) % 1440;
  return now - (now % 60_000) + wait * 60_000;
}

/**
 * quietHoursEnd for a workspace's contact now (a business-initiated send's only guardrail besides the opt-outs);
 * reads the contact's time zone unless `known` is that contact.
 */
export async function quietHoursEndFor(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  contactId: string,
  known?: ContactRow,
): Promise<number | null> {
  const settings = (await workspaceStore.getInTx(ctx, workspaceId, tx)).settings;
  if (!settings.quiet_hours) return null;
  const timezone =
    known?.id === contactId
      ? known.timezone
      : ((await tx.selectFrom("contacts").select("timezone").where("id", "=", contactId).executeTakeFirst())
          ?.timezone ?? null);
  return quietHoursEnd(ctx.now(), settings.quiet_hours, timezone ?? settings.timezone);
}

/**
 * The purposeful-use rules for a business-initiated open (the contact's 24-hour window is closed): never to a
 * contact who opted out (marketing templates also not after a marketing stop), at most N opens per contact per
 * rolling 24 h, not during quiet hours in the contact's time zone (the run waits them out instead), and within
 * the number's daily limit of unique business-initiated contacts (over it, the run queues until a slot frees).
 */
export async function checkGuardrails(
  ctx: StoreContext,
  tx: Tx,
  o: {
    now: number;
    settings: WorkspaceSettings;
    definition: WorkflowDefinition;
    contact: ContactRow;
    channel: { id: string; messaging_limit: number | null };
    templateCategory: string | null;
  },
): Promise<GuardrailVerdict> {
  if (o.contact.opted_out === 1) return { kind: "skip", reason: "opted_out" };
  if (o.templateCategory === "MARKETING" && o.contact.marketing_opt_out === 1)
    return { kind: "skip", reason: "marketing_opt_out" };
  const until = quietHoursEnd(o.now, o.settings.quiet_hours, o.contact.timezone ?? o.settings.timezone);
  if (until !== null) return { kind: "defer", reason: "quiet_hours", until };
  const cap =
    o.definition.frequency_cap === undefined ? o.settings.frequency_cap : o.definition.frequency_cap;
  if (cap !== null) {
    const row = await tx
      .selectFrom("business_opens")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("contact_id", "=", o.contact.id)
      .where("at", ">", o.now - DAY_MS)
      .executeTakeFirst();
    // With the opens this transaction (a workflow batch) has made and not written yet.
    const held = deferredWrites
      .pendingRows(tx, "business_opens")
      .filter((b) => b.contact_id === o.contact.id && b.at > o.now - DAY_MS).length;
    if (Number(row?.n ?? 0) + held >= cap) return { kind: "skip", reason: "frequency_cap" };
  }
  // The number's own limit wins over the workspace default; 0 is a number with no limit.
  const own = o.channel.messaging_limit;
  const limit = own === 0 ? null : (own ?? o.settings.messaging_limit);
  if (limit !== null) {
    // Concurrent opens on one number are counted one after the other, so the limit holds across workers.
    if (ctx.dialect === "postgres")
      await tx.selectFrom("channels").select("id").where("id", "=", o.channel.id).forUpdate().execute();
    // The counts below are over distinct contacts: they need this transaction's own opens written first.
    await deferredWrites.flushTable(ctx, tx, "business_opens");
    const since = o.now - DAY_MS;
    const already = await tx
      .selectFrom("business_opens")
      .select("id")
      .where("channel_id", "=", o.channel.id)
      .where("contact_id", "=", o.contact.id)
      .where("at", ">", since)
      .limit(1)
      .executeTakeFirst();
    if (!already) {
      const row = await tx
        .selectFrom("business_opens")
        .select([
          (eb) => eb.fn.count<number>("contact_id").distinct().as("n"),
          (eb) => eb.fn.min("at").as("oldest"),
        ])
        .where("channel_id", "=", o.channel.id)
        .where("at", ">", since)
        .executeTakeFirst();
      // Over the number's limit the open queues until the oldest of the day's opens leaves the 24-hour window.
      if (Number(row?.n ?? 0) >= limit)
        return { kind: "defer", reason: "messaging_limit", until: Number(row?.oldest ?? o.now) + DAY_MS };
    }
  }
  return { kind: "allow" };
}
