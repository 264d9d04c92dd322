import type { TimelineEntry } from "../api/apiTypes.ts";

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : {};

/** Who did it, in words: an agent's name, a workflow, an API key, the customer. */
export function actorLabel(actor: unknown, userName: (id: string | null) => string | null): string {
  const a = obj(actor);
  const type = str(a.type);
  const id = str(a.id);
  if (type === "agent") return userName(id) ?? "an agent";
  if (type === "inbound") return "the customer";
  if (type === "api") return "the API";
  if (type === "workflow") return str(a.name) ? `the workflow “${str(a.name)}”` : "a workflow";
  return type ?? "someone";
}

/** An opened / reopened / assigned / closed line in the message history, closes with category and summary. */
export function LifecycleMarker({
  e,
  userName,
  categoryName,
}: {
  e: TimelineEntry;
  userName: (id: string | null) => string | null;
  categoryName: (key: string) => string;
}) {
  const by = actorLabel(e.by, userName);
  const time = new Date(e.at).toLocaleString();
  if (e.type === "conversation.closed") {
    const key = str(e.category);
    return (
      <div className="marker closed" data-testid="marker-closed">
        <strong>Closed by {by}</strong> ·{" "}
        <span data-testid="marker-category">{key ? categoryName(key) : "no category"}</span> · {time}
        {str(e.summary) && <p className="summary">{str(e.summary)}</p>}
      </div>
    );
  }
  if (e.type === "conversation.commented") {
    return (
      <div className="note" data-testid="note">
        <div className="author">
          Note by {by} · {time}
        </div>
        <div className="text">{str(e.text)}</div>
      </div>
    );
  }
  const label =
    e.type === "conversation.opened"
      ? `Opened by ${by}`
      : e.type === "conversation.reopened"
        ? `Reopened by ${by}`
        : `Assigned by ${by}`;
  return (
    <div className="marker" data-testid="marker">
      {label} · {time}
    </div>
  );
}
