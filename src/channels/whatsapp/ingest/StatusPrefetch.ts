import type { Channel } from "../../../store/channelStore.ts";
import type { MessageRow } from "../../../store/databaseSchema.ts";
import type { Tx } from "../../../store/storeContext.ts";
import type { WebhookStatusEvent } from "../webhook/webhookEvent.ts";

const CHUNK = 200;

/**
 * The outbound messages a webhook batch's statuses are about, read with one query per channel and chunk instead
 * of one or two per status. Lives for one transaction: `applyStatusUpdate` writes its changes back into the
 * cached row, so a second status for the same message in the batch sees the first. A miss is not an answer
 * (the caller falls back to its own queries).
 */
export class StatusPrefetch {
  readonly #rows = new Map<string, MessageRow>();

  async load(tx: Tx, items: { channel: Channel; event: WebhookStatusEvent }[]): Promise<void> {
    const byChannel = new Map<string, { wamids: Set<string>; ids: Set<string> }>();
    for (const { channel, event } of items) {
      const g = byChannel.get(channel.id) ?? { wamids: new Set(), ids: new Set() };
      g.wamids.add(event.waMessageId);
      if (event.bizOpaqueCallbackData) g.ids.add(event.bizOpaqueCallbackData);
      byChannel.set(channel.id, g);
    }
    for (const [channelId, g] of byChannel) {
      await this.#read(tx, channelId, "wa_message_id", [...g.wamids]);
      const ids = [...g.ids].filter((id) => !this.#rows.has(`id|${channelId}|${id}`));
      await this.#read(tx, channelId, "id", ids);
    }
  }

  /** Reads a channel's messages by wamid, or by our own id (an outbound message's callback data), in chunks. */
  async #read(tx: Tx, channelId: string, by: "wa_message_id" | "id", values: string[]): Promise<void> {
    for (let i = 0; i < values.length; i += CHUNK) {
      let q = tx
        .selectFrom("messages")
        .selectAll()
        .where("channel_id", "=", channelId)
        .where(by, "in", values.slice(i, i + CHUNK));
      if (by === "id") q = q.where("direction", "=", "outbound");
      for (const r of await q.execute()) this.#keep(r);
    }
  }

  /** The message a status is about, as this transaction last wrote it; undefined when not prefetched. */
  get(channel: Channel, s: WebhookStatusEvent): MessageRow | undefined {
    return (
      this.#rows.get(`wa|${channel.id}|${s.waMessageId}`) ??
      (s.bizOpaqueCallbackData ? this.#rows.get(`id|${channel.id}|${s.bizOpaqueCallbackData}`) : undefined)
    );
  }

  /** Records what was written to the row (also under its new wamid). */
  update(row: MessageRow, set: Partial<MessageRow>): void {
    Object.assign(row, set);
    this.#keep(row);
  }

  #keep(r: MessageRow): void {
    this.#rows.set(`id|${r.channel_id}|${r.id}`, r);
    if (r.wa_message_id) this.#rows.set(`wa|${r.channel_id}|${r.wa_message_id}`, r);
  }
}
