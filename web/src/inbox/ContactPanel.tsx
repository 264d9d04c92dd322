import { useQuery } from "@tanstack/react-query";
import { api } from "../api/api.ts";
import type { Closing, Contact, Conversation, User } from "../api/apiTypes.ts";
import { duration } from "./formatTime.ts";
import { actorLabel } from "./LifecycleMarker.tsx";

/** The contact's profile and history: every open/close cycle with category, summary, who closed it, how long. */
export function ContactPanel({ conversationId, users }: { conversationId: string; users: User[] }) {
  const conv = useQuery({
    queryKey: ["conversation", conversationId],
    queryFn: () => api<Conversation>("GET", `/api/v1/conversations/${conversationId}`),
  });
  const contactId = conv.data?.contact_id;
  const contact = useQuery({
    queryKey: ["contact", contactId],
    queryFn: () => api<Contact>("GET", `/api/v1/contacts/${contactId}`),
    enabled: Boolean(contactId),
  });
  const closings = useQuery({
    queryKey: ["contact", contactId, "closings"],
    queryFn: () => api<{ data: Closing[] }>("GET", `/api/v1/contacts/${contactId}/closings`),
    enabled: Boolean(contactId),
  });
  const userName = (id: string | null) => users.find((u) => u.id === id)?.name ?? null;
  const c = contact.data;
  if (!c) return <aside className="contact-pane" />;
  return (
    <aside className="contact-pane" data-testid="contact-panel">
      <h3>{c.name ?? c.phone}</h3>
      <dl>
        <dt>Phone</dt>
        <dd>{c.phone}</dd>
        <dt>Opted out</dt>
        <dd>{c.opted_out ? "yes — no messages" : c.marketing_opt_out ? "marketing only" : "no"}</dd>
        {c.timezone && (
          <>
            <dt>Timezone</dt>
            <dd>{c.timezone}</dd>
          </>
        )}
        {Object.entries(c.fields).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
      {c.tags.length > 0 && (
        <p className="tags">
          {c.tags.map((t) => (
            <span key={t} className="pill">
              {t}
            </span>
          ))}
        </p>
      )}
      <h4>History</h4>
      {closings.data?.data.length === 0 && <p className="muted">No closed conversations yet</p>}
      <ol className="history" data-testid="contact-history">
        {closings.data?.data.map((cl) => (
          <li key={cl.id}>
            <div>
              <strong>{cl.category?.name ?? "No category"}</strong>{" "}
              <span className="muted">
                · closed by {actorLabel(cl.closed_by, userName)} · lasted {duration(cl.duration_ms)}
              </span>
            </div>
            <div className="muted">{new Date(cl.closed_at).toLocaleString()}</div>
            {cl.summary && <p className="summary">{cl.summary}</p>}
          </li>
        ))}
      </ol>
    </aside>
  );
}
