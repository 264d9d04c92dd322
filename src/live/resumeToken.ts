import type { EventCursor } from "../store/eventOrder.ts";

/** Where a live stream resumes: after this event id, and on PostgreSQL after this (tx_id, id) cursor. */
export type ResumeToken = { id: number; final: EventCursor | null };

/**
 * The SSE event id of the live stream. On SQLite it is the event id; on PostgreSQL `id:tx:id`, the event id and
 * the hub's final cursor when the event was sent (every event up to that cursor in (tx_id, id) order had been
 * sent by then), so a stream resumed from it also gets events that committed late.
 */
export const resumeToken = {
  format(eventId: number, final: EventCursor | null): string {
    return final ? `${eventId}:${final.tx}:${final.id}` : String(eventId);
  },

  /** Null when the text is not one of our tokens. */
  parse(text: string): ResumeToken | null {
    const m = /^(\d{1,15})(?::(\d{1,15}):(\d{1,15}))?$/.exec(text);
    if (!m) return null;
    return { id: Number(m[1]), final: m[2] ? { tx: Number(m[2]), id: Number(m[3]) } : null };
  },
};
