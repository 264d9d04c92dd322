import type { Message } from "../api/apiTypes.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : {};

/** A readable line for any stored message content (text, template, interactive, replies, media). */
export function messageText(m: Message): string {
  const c = m.content;
  // A tapped template button carries its label as `text` too; say it was a tap, not typed.
  if (c.payload) return `Tapped: ${str(c.text) ?? str(c.payload)}`;
  if (typeof c.text === "string") return c.text;
  if (c.template) {
    const t = obj(c.template);
    const params = Array.isArray(t.body)
      ? t.body.map((p) => (typeof p === "string" ? p : str(obj(p).value)))
      : [];
    return `Template ${str(t.name) ?? ""}${params.length ? ` (${params.join(", ")})` : ""}`;
  }
  if (c.interactive) return str(obj(c.interactive).body) ?? "Interactive message";
  if (c.reply) return `Tapped: ${str(obj(c.reply).title) ?? str(obj(c.reply).id) ?? "a reply"}`;
  const media = obj(c.image ?? c.document ?? c);
  if (str(media.caption)) return `[${m.type}] ${str(media.caption)}`;
  if (c.emoji) return `Reacted ${str(c.emoji)}`;
  return `[${m.type}]`;
}
