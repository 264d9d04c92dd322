import { contactStore } from "../store/contactStore.ts";
import { toAssignee, windowExpiresAt } from "../store/conversations/conversationRecord.ts";
import type { ContactRow } from "../store/databaseSchema.ts";
import type { Db, StoreContext } from "../store/storeContext.ts";
import type { RunRow } from "../store/workflowTables.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import type { Scope } from "./stepTypes.ts";

export interface RunContext {
  trigger: Record<string, unknown>;
  vars: Record<string, unknown>;
  steps: Record<string, unknown>;
  /**
   * How many trigger_workflow starts led to this run (absent: none). The engine's own key, not the trigger's,
   * so a payload can't set it.
   */
  depth?: number;
  /** The last message this run sent: what a question that sends none waits on (the engine's own key too). */
  last_message_id?: string;
}

export function parseRunContext(text: string): RunContext {
  const raw: Partial<RunContext> = JSON.parse(text);
  const rc: RunContext = { trigger: raw.trigger ?? {}, vars: raw.vars ?? {}, steps: raw.steps ?? {} };
  if (typeof raw.depth === "number") rc.depth = raw.depth;
  if (typeof raw.last_message_id === "string") rc.last_message_id = raw.last_message_id;
  return rc;
}

// Building an Intl.DateTimeFormat is costly; a workspace has few time zones, so keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local clock parts in a time zone, for `time.hour` conditions and quiet hours. */
export function clockIn(
  at: number,
  timeZone: string,
): { hour: number; minute: number; weekday: string; date: string } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      weekday: "long",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hourCycle: "h23",
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return {
    hour: Number(get("hour")),
    minute: Number(get("minute")),
    weekday: get("weekday").toLowerCase(),
    date: `${get("year")}-${get("month")}-${get("day")}`,
  };
}

/** Which rows a step can see at all: a step whose settings never name `contact` (or `time`, which is in the
 * contact's time zone) or `conversation` doesn't need them read. */
export interface ScopeNeeds {
  contact: boolean;
  conversation: boolean;
  /**
   * PostgreSQL: read the contact `for update`, as the step's effects would (open_conversation locks it so that
   * concurrent runs count a contact's recent opens one after the other), so they can use this read.
   */
  lockContact?: boolean;
}

const needsOf = new WeakMap<object, ScopeNeeds>();

/** What a step's templates and conditions can reach, from the text of its settings (remembered per step). */
export function scopeNeeds(step: object): ScopeNeeds {
  let n = needsOf.get(step);
  if (!n) {
    // The step's own id and type (`close_conversation`…) are not something a template can read.
    const { id: _id, type: _type, ...settings } = step as { id?: unknown; type?: unknown };
    const text = JSON.stringify(settings);
    n = { contact: /contact|time/.test(text), conversation: text.includes("conversation") };
    needsOf.set(step, n);
  }
  return n;
}

/**
 * The data templates and conditions see: saved answers at the top level, then `contact`, `conversation`,
 * `trigger`, `steps`, `workspace`, `now` (ISO) and `time` (the contact's local hour, minute and weekday).
 */
export async function buildScope(
  ctx: StoreContext,
  tx: Db,
  run: RunRow,
  workflowName: string,
  rc: RunContext,
  needs: ScopeNeeds = { contact: true, conversation: true },
  /** Receives the contact row read for the scope (locked if `needs.lockContact`), for the step's effects. */
  rows?: { contact?: ContactRow },
): Promise<Scope> {
  const workspace = await workspaceStore.getInTx(ctx, run.workspace_id, tx);
  const contact =
    run.contact_id && needs.contact
      ? await contactStore.rowIn(ctx, tx, run.contact_id, needs.lockContact)
      : undefined;
  if (rows && contact) rows.contact = contact;
  const conv =
    run.conversation_id && needs.conversation
      ? await tx
          .selectFrom("conversations")
          .selectAll()
          .where("id", "=", run.conversation_id)
          .executeTakeFirst()
      : undefined;
  const now = ctx.now();
  const tz = contact?.timezone ?? workspace.settings.timezone;
  const name = contact?.name ?? null;
  return {
    ...rc.vars,
    contact: contact
      ? {
          id: contact.id,
          phone: contact.phone,
          name,
          first_name: name ? name.trim().split(/\s+/)[0] : null,
          fields: JSON.parse(contact.fields),
          tags: JSON.parse(contact.tags),
          timezone: contact.timezone,
          opted_out: contact.opted_out === 1,
        }
      : null,
    conversation: conv
      ? {
          id: conv.id,
          status: conv.status,
          assignee: toAssignee(conv),
          category: conv.close_category_key,
          summary: conv.close_summary,
          window_open: (windowExpiresAt(conv) ?? 0) > now,
        }
      : null,
    trigger: rc.trigger,
    steps: rc.steps,
    workspace: { id: workspace.id, name: workspace.name, brand_name: workspace.brandName },
    workflow: { id: run.workflow_id, name: workflowName, version: run.version },
    run: { id: run.id },
    now: new Date(now).toISOString(),
    // Only branches on the time of day read it, and splitting a date in a time zone is the costliest part here.
    get time() {
      return clockIn(now, tz);
    },
  };
}
