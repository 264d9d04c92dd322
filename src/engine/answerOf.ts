import type { Answer } from "./stepTypes.ts";

/** An inbound message as an answer: a tapped button or list row gives its id and title, a text gives itself. */
export function answerOf(messageId: string, type: string, content: Record<string, unknown>): Answer {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  if (type === "button") {
    const title = str(content.text) || str(content.payload);
    return { id: str(content.payload) || title, title, text: title, type, message_id: messageId };
  }
  if (type === "interactive" && content.reply && typeof content.reply === "object") {
    const r = content.reply as Record<string, unknown>;
    const title = str(r.title) || str(r.id);
    return { id: str(r.id) || title, title, text: title, type, message_id: messageId };
  }
  const text = str(content.text) || str(content.caption);
  return { id: text, title: text, text, type, message_id: messageId };
}
