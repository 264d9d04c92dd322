import { channelBody, type TestApp } from "./testApp.ts";

let phoneSeq = 0;

/** A fresh, valid US phone number for each call (unique within a test process). */
export function nextPhone(): string {
  phoneSeq++;
  return `+1415555${String(1000 + (phoneSeq % 9000)).padStart(4, "0")}`;
}

/** Connects a channel (numbered so several can coexist) and returns its id. */
export async function createChannel(t: TestApp, n = 1): Promise<string> {
  const res = await t.api("POST", "/api/v1/channels", channelBody(n));
  if (res.status !== 201) throw new Error(`channel: ${res.status} ${res.text}`);
  return res.body.id;
}

/** Upserts a contact and returns its id. */
export async function createContact(t: TestApp, phone = nextPhone(), name?: string): Promise<string> {
  const res = await t.api("POST", "/api/v1/contacts", { phone, ...(name ? { name } : {}) });
  if (res.status !== 201 && res.status !== 200) throw new Error(`contact: ${res.status} ${res.text}`);
  return res.body.id;
}

/** Opens (or returns) the contact's conversation on the channel and returns the whole response body. */
export async function openConversation(
  t: TestApp,
  body: { contact_id?: string; phone?: string; channel_id: string; assignee?: unknown },
) {
  const res = await t.api("POST", "/api/v1/conversations/open", body);
  if (res.status !== 201 && res.status !== 200) throw new Error(`open: ${res.status} ${res.text}`);
  return res.body as { conversation: { id: string; [k: string]: any }; created: boolean; reopened: boolean };
}

/**
 * Marks the contact as having written just now, so free-form messages are inside the 24-hour window.
 * (An inbound WhatsApp message does this in production; these tests stay off the channel code.)
 */
export async function openWindow(t: TestApp, conversationId: string, at = Date.now()): Promise<void> {
  await t.parley.deps.store.db
    .updateTable("conversations")
    .set({ last_inbound_at: at })
    .where("id", "=", conversationId)
    .execute();
}
