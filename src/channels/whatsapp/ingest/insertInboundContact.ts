import { newId } from "../../../core/newId.ts";
import { insertRow } from "../../../store/insertRow.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import type { WebhookMessageEvent } from "../webhook/webhookEvent.ts";

/**
 * Creates the contact of a sender Parley has never seen, named by their WhatsApp profile, and returns its id.
 * Shared by the batch and the one-at-a-time ingestion paths so both create exactly the same contact.
 */
export async function insertInboundContact(
  ctx: StoreContext,
  tx: Tx,
  workspaceId: string,
  phone: string,
  m: WebhookMessageEvent,
  times: { at: number; now: number },
): Promise<string> {
  const id = newId();
  await insertRow(ctx, tx, "contacts", {
    id,
    workspace_id: workspaceId,
    phone,
    wa_id: m.waId.replace(/^\+/, ""),
    name: m.profileName ?? null,
    fields: "{}",
    tags: "[]",
    opted_out: 0,
    marketing_opt_out: 0,
    timezone: null,
    last_inbound_at: times.at,
    created_at: times.now,
    updated_at: times.now,
  });
  return id;
}
