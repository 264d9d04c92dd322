import { type Insertable, sql } from "kysely";
import { matchOptKeyword } from "../../../core/contact/matchOptKeyword.ts";
import { newId } from "../../../core/newId.ts";
import { normalizeWaId } from "../../../core/normalizeWaId.ts";
import type { WorkspaceSettings } from "../../../core/workspace/workspaceSchema.ts";
import type { Channel } from "../../../store/channelStore.ts";
import { openIn } from "../../../store/conversations/openConversation.ts";
import type { MessagesTable } from "../../../store/databaseSchema.ts";
import { deferredWrites } from "../../../store/deferredWrites.ts";
import { insertRows } from "../../../store/insertRows.ts";
import { previewOf } from "../../../store/messageStore.ts";
import { preparedSqlite } from "../../../store/preparedSqlite.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { workspaceStore } from "../../../store/workspaceStore.ts";
import type { WebhookMessageEvent } from "../webhook/webhookEvent.ts";
import { inboundMessageRow } from "./inboundMessageRow.ts";
import { insertInboundContact } from "./insertInboundContact.ts";

type Known = { contactId: string; conversationId: string };

const CHUNK = 100;

/**
 * The common case of inbound ingestion, done for a whole webhook batch at once: a known contact writing into an
 * open conversation. Contacts, conversations and already-stored message ids are read with one query each, and the
 * writes (messages, events, window and activity times) go out as a few multi-row statements instead of a dozen
 * statements per message. Anything else (a new contact, a closed conversation, an opt-out keyword, a first
 * profile name) is left to `ingestInboundMessage`, one message at a time; the caller flushes before that.
 */
export class InboundBatch {
  readonly #ctx: StoreContext;
  readonly #tx: Tx;
  /** `workspaceId|phone` → the contact and its open conversation on `channelId`, keyed `…|channelId`. */
  readonly #known = new Map<string, Known>();
  readonly #seen = new Set<string>();
  /** `workspaceId|phone` of senders with no contact yet (first messages, handled by takeNew). */
  readonly #newPhones = new Set<string>();
  readonly #settings = new Map<string, WorkspaceSettings>();
  #messages: Insertable<MessagesTable>[] = [];
  #events: {
    workspace_id: string;
    type: string;
    contact_id: string;
    conversation_id: string;
    payload: string;
    created_at: number;
  }[] = [];
  #contacts = new Map<string, number>();
  #conversations = new Map<string, number>();
  /** Conversation id → created_at of its newest staged message: its last_message_at, as on the full path. */
  #lastMessage = new Map<string, number>();

  constructor(ctx: StoreContext, tx: Tx) {
    this.#ctx = ctx;
    this.#tx = tx;
  }

  /** Reads what the fast path needs for these messages: contacts, their open conversations, stored ids. */
  async prefetch(items: { channel: Channel; event: WebhookMessageEvent }[]): Promise<void> {
    const byChannel = new Map<string, { channel: Channel; events: WebhookMessageEvent[] }>();
    for (const i of items) {
      const g = byChannel.get(i.channel.id) ?? { channel: i.channel, events: [] };
      g.events.push(i.event);
      byChannel.set(i.channel.id, g);
    }
    for (const { channel, events } of byChannel.values()) {
      const ws = channel.workspaceId;
      if (!this.#settings.has(ws))
        this.#settings.set(ws, (await workspaceStore.getInTx(this.#ctx, ws, this.#tx)).settings);
      for (let i = 0; i < events.length; i += CHUNK) {
        const part = events.slice(i, i + CHUNK);
        const stored = await this.#tx
          .selectFrom("messages")
          .select("wa_message_id")
          .where("channel_id", "=", channel.id)
          .where(
            "wa_message_id",
            "in",
            part.map((e) => e.waMessageId),
          )
          .execute();
        for (const s of stored) this.#seen.add(`${channel.id}|${s.wa_message_id}`);
        const phones = [...new Set(part.map((e) => normalizeWaId(e.waId)).filter((p): p is string => !!p))];
        if (phones.length === 0) continue;
        let q = this.#tx
          .selectFrom("conversations")
          .innerJoin("contacts", "contacts.id", "conversations.contact_id")
          .select([
            "contacts.id as contact_id",
            "contacts.phone",
            "contacts.name",
            "conversations.id as conversation_id",
          ])
          .where("contacts.workspace_id", "=", ws)
          .where("contacts.phone", "in", phones)
          .where("conversations.channel_id", "=", channel.id)
          .where("conversations.status", "=", "open");
        // An agent closing one of these conversations meanwhile waits for this batch, and vice versa.
        if (this.#ctx.dialect === "postgres") q = q.forUpdate();
        for (const r of await q.execute()) {
          // A contact without a name yet gets the profile name through the full path.
          if (r.name === null) continue;
          this.#known.set(`${ws}|${r.phone}|${channel.id}`, {
            contactId: r.contact_id,
            conversationId: r.conversation_id,
          });
        }
        // Phones with no contact at all: their first message needs no reopen logic (see takeNew). Only the
        // phones the query above didn't find can be new; usually there are none and this read is skipped.
        const unmatched = phones.filter((p) => !this.#known.has(`${ws}|${p}|${channel.id}`));
        if (unmatched.length === 0) continue;
        const existing = await this.#tx
          .selectFrom("contacts")
          .select("phone")
          .where("workspace_id", "=", ws)
          .where("phone", "in", unmatched)
          .execute();
        const have = new Set(existing.map((r) => r.phone));
        for (const p of unmatched) if (!have.has(p)) this.#newPhones.add(`${ws}|${p}`);
      }
    }
  }

  /**
   * Stages the message if it is the common case and returns true (also for a duplicate, which needs nothing).
   * Returns false when the full path must handle it.
   */
  take(channel: Channel, m: WebhookMessageEvent): boolean {
    const dupKey = `${channel.id}|${m.waMessageId}`;
    if (this.#seen.has(dupKey)) return true;
    const phone = normalizeWaId(m.waId);
    if (!phone) return false;
    const ws = channel.workspaceId;
    const known = this.#known.get(`${ws}|${phone}|${channel.id}`);
    const settings = this.#settings.get(ws);
    if (!known || !settings) return false;
    if (m.type === "text" && typeof m.content.text === "string" && matchOptKeyword(m.content.text, settings))
      return false;
    this.#seen.add(dupKey);
    const now = this.#ctx.now();
    const at = Math.min(m.timestamp, now);
    const id = newId();
    this.#messages.push(
      inboundMessageRow(
        m,
        {
          id,
          workspaceId: ws,
          conversationId: known.conversationId,
          contactId: known.contactId,
          channelId: channel.id,
        },
        { at, now },
      ),
    );
    this.#events.push({
      workspace_id: ws,
      type: "message.created",
      contact_id: known.contactId,
      conversation_id: known.conversationId,
      payload: JSON.stringify({
        type: "message.created",
        conversationId: known.conversationId,
        messageId: id,
        direction: "inbound",
        messageType: m.type,
        channelId: channel.id,
        author: { type: "contact", id: known.contactId },
        preview: previewOf(m.type, m.content),
      }),
      created_at: now,
    });
    this.#contacts.set(known.contactId, Math.max(this.#contacts.get(known.contactId) ?? 0, at));
    this.#conversations.set(
      known.conversationId,
      Math.max(this.#conversations.get(known.conversationId) ?? 0, at),
    );
    this.#lastMessage.set(known.conversationId, now);
    return true;
  }

  /**
   * The first message of a phone Parley has never seen: creates the contact and its conversation here (nothing
   * to reopen, no earlier conversation to look up), then stages the message like any other. False when the
   * message needs the full path (an opt keyword, an invalid sender, a phone that is not new).
   */
  async takeNew(channel: Channel, m: WebhookMessageEvent): Promise<boolean> {
    const phone = normalizeWaId(m.waId);
    const ws = channel.workspaceId;
    const settings = this.#settings.get(ws);
    if (!phone || !settings || !this.#newPhones.has(`${ws}|${phone}`)) return false;
    if (m.type === "text" && typeof m.content.text === "string" && matchOptKeyword(m.content.text, settings))
      return false;
    this.#newPhones.delete(`${ws}|${phone}`);
    const now = this.#ctx.now();
    const at = Math.min(m.timestamp, now);
    const contactId = await insertInboundContact(this.#ctx, this.#tx, ws, phone, m, { at, now });
    const opened = await openIn(this.#ctx, this.#tx, ws, {
      contactId,
      channelId: channel.id,
      by: { type: "inbound", id: null },
      known: true,
      latest: { row: undefined },
    });
    if (!opened) throw new Error("conversation changed concurrently");
    const key = `${ws}|${phone}|${channel.id}`;
    this.#known.set(key, { contactId, conversationId: opened.id });
    const staged = this.take(channel, m);
    // Without a profile name the contact stays nameless; its next message takes the full path, which records
    // a name once one comes.
    if (!m.profileName) this.#known.delete(key);
    return staged;
  }

  /** After the full path handled a message of this contact, what was read about it may be stale. */
  forget(channel: Channel, m: WebhookMessageEvent): void {
    const phone = normalizeWaId(m.waId);
    if (phone) this.#known.delete(`${channel.workspaceId}|${phone}|${channel.id}`);
  }

  /** Writes everything staged; call before any other write in the transaction and at the end. */
  async flush(): Promise<void> {
    if (this.#messages.length === 0) return;
    const tx = this.#tx;
    const now = this.#ctx.now();
    await insertRows(this.#ctx, tx, "messages", this.#messages);
    // In a transaction that defers outbox rows they join the others, in order, at its end.
    const deferred = this.#events.every((e) => deferredWrites.add(tx, "events", [e], e.workspace_id));
    if (!deferred) await insertRows(this.#ctx, tx, "events", this.#events);
    await this.#touch(now);
    if (this.#ctx.dialect === "postgres" && !deferred)
      for (const ws of new Set(this.#events.map((e) => e.workspace_id)))
        await sql`select pg_notify('parley_events', ${ws})`.execute(tx);
    this.#messages = [];
    this.#events = [];
    this.#contacts = new Map();
    this.#conversations = new Map();
    this.#lastMessage = new Map();
  }

  /** Webhooks arrive out of order: the window runs from the latest message, whichever arrived last. */
  async #touch(now: number): Promise<void> {
    const contact = preparedSqlite(
      this.#ctx,
      "update contacts set last_inbound_at = max(coalesce(last_inbound_at, ?), ?), updated_at = ? where id = ?",
    );
    const conversation = preparedSqlite(
      this.#ctx,
      `update conversations set last_inbound_at = max(coalesce(last_inbound_at, ?), ?),
        last_message_at = ?, last_activity_at = ?, updated_at = ? where id = ?`,
    );
    if (contact && conversation) {
      // SQLite, inside this transaction: a prepared UPDATE by primary key per row beats one CASE over all of them.
      for (const [id, at] of this.#contacts) contact.run(at, at, now, id);
      for (const [id, at] of this.#conversations) {
        const last = this.#lastMessage.get(id) ?? now;
        conversation.run(at, at, last, last, now, id);
      }
      return;
    }
    const tx = this.#tx;
    const latest = (times: Map<string, number>) =>
      sql`case ${sql.join(
        [...times].map(
          ([id, at]) =>
            sql`when id = ${id} and (last_inbound_at is null or last_inbound_at < ${at}) then ${at}`,
        ),
        sql` `,
      )} else last_inbound_at end`;
    const ids = (times: Map<string, number>) => sql.join([...times.keys()].map((id) => sql`${id}`));
    await sql`update contacts set last_inbound_at = ${latest(this.#contacts)}, updated_at = ${now}
      where id in (${ids(this.#contacts)})`.execute(tx);
    const lastMessage = sql`case ${sql.join(
      [...this.#lastMessage].map(([id, at]) => sql`when id = ${id} then cast(${at} as bigint)`),
      sql` `,
    )} else cast(${now} as bigint) end`;
    await sql`update conversations set last_inbound_at = ${latest(this.#conversations)},
      last_message_at = ${lastMessage}, last_activity_at = ${lastMessage}, updated_at = ${now}
      where id in (${ids(this.#conversations)})`.execute(tx);
  }
}
