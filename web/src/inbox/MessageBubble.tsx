import type { Message } from "../api/apiTypes.ts";
import { actorLabel } from "./LifecycleMarker.tsx";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : {};

/** A readable line for any stored message content (text, template, interactive, replies, media). */
export function messageText(m: Message): string {
  const c = m.content;
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
  if (c.payload) return `Tapped: ${str(c.text) ?? str(c.payload)}`;
  const media = obj(c.image ?? c.document ?? c);
  if (str(media.caption)) return `[${m.type}] ${str(media.caption)}`;
  if (c.emoji) return `Reacted ${str(c.emoji)}`;
  return `[${m.type}]`;
}

const TICKS: Record<Message["status"], string> = {
  queued: "🕓",
  sending: "🕓",
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
  failed: "⚠",
  received: "",
};

/** One message with its author and, for outbound ones, the delivery ticks (failed shows Meta's error). */
export function MessageBubble(props: {
  m: Message;
  contactName: string | null;
  userName: (id: string | null) => string | null;
}) {
  const { m } = props;
  const author =
    m.direction === "inbound"
      ? (props.contactName ?? "Customer")
      : m.author.type === "agent"
        ? actorLabel(m.author, props.userName)
        : m.author.type === "bot"
          ? "Bot"
          : m.author.type === "workflow"
            ? "Workflow"
            : m.author.type === "system"
              ? "System"
              : "API";
  return (
    <div className={`bubble ${m.direction}`} data-testid="message" data-status={m.status}>
      <div className="author">{author}</div>
      <div className="text">{messageText(m)}</div>
      <div className="meta">
        {new Date(m.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
        {m.direction === "outbound" && (
          <span className={`ticks ${m.status}`} title={m.status} data-testid="ticks">
            {" "}
            {TICKS[m.status]}
          </span>
        )}
      </div>
      {m.status === "failed" && m.error && (
        <div className="error">
          {m.error.detail ?? "Delivery failed"}
          {m.error.code ? ` (${m.error.code})` : ""}
        </div>
      )}
    </div>
  );
}
