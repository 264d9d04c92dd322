import type { Message } from "../api/apiTypes.ts";
import { actorLabel } from "./LifecycleMarker.tsx";
import { messageText } from "./messageText.ts";

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
