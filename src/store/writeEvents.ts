import { sql } from "kysely";
import type { DomainEvent } from "../core/conversation/domainEvent.ts";
import { deferredWrites } from "./deferredWrites.ts";
import type { StoreContext, Tx } from "./storeContext.ts";

export interface EventScope {
  workspaceId: string;
  contactId: string | null;
  conversationId?: string | null;
}

/** The outbox: appends domain events inside the caller's transaction, so they exist exactly when the change does. */
export async function writeEvents(
  ctx: StoreContext,
  tx: Tx,
  scope: EventScope,
  events: DomainEvent[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  if (events.length === 0) return;
  const now = ctx.now();
  const rows = events.map((e) => ({
    workspace_id: scope.workspaceId,
    type: e.type,
    contact_id: scope.contactId,
    conversation_id: scope.conversationId ?? ("conversationId" in e ? e.conversationId : null),
    payload: JSON.stringify({ ...e, ...extra }),
    created_at: now,
  }));
  if (deferredWrites.add(tx, "events", rows, scope.workspaceId)) return;
  await tx.insertInto("events").values(rows).execute();
  // NOTIFY is transactional in PostgreSQL: other processes hear it only if this transaction commits.
  if (ctx.dialect === "postgres")
    await sql`select pg_notify('parley_events', ${scope.workspaceId})`.execute(tx);
}
