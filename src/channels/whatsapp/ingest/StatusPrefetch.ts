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
      const wamids = [...g.wamids];
      for (let i = 0; i < wamids.length; i += CHUNK) {
        const rows = await tx
          .selectFrom("messages")
          .selectAll()
          .where("channel_id", "=", channelId)
          .where("wa_message_id", "in", wamids.slice(i, i + CHUNK))
          .execute();
        for (const r of rows) this.#keep(r);
      }
      const ids = [...g.ids].filter((id) => !this.#rows.has(`id|${channelId}|${id}`));
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await tx
          .selectFrom("messages")
          .selectAll()
          .where("channel_id", "=", channelId)
          .where("id", "in", ids.slice(i, i + CHUNK))
          .where("direction", "=", "outbound")
          .execute();
        for (const r of rows) this.#keep(r);
      }
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
