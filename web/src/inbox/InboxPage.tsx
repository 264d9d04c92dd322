import { useQuery } from "@tanstack/react-query";
import { api, qs } from "../api/api.ts";
import type { Category, Channel, Me, User } from "../api/apiTypes.ts";
import { navigate, useRoute } from "../api/useRoute.ts";
import { ContactPanel } from "./ContactPanel.tsx";
import { ConversationList } from "./ConversationList.tsx";
import { ConversationView } from "./ConversationView.tsx";
import { type InboxFilters, readFilters, writeFilters } from "./inboxFilters.ts";

/**
 * The agent's dashboard: tabs and filters, the live list, the open conversation and its contact. `base` is the
 * path the selection hangs off, so the simulator can embed the inbox beside the phone (`compact` drops the
 * contact panel there).
 */
export function InboxPage({
  me,
  base = "/inbox",
  compact = false,
}: {
  me: Me;
  base?: string;
  compact?: boolean;
}) {
  const { path, search } = useRoute();
  const filters = readFilters(search);
  const selected = path.startsWith(`${base}/`) ? decodeURIComponent(path.slice(base.length + 1)) : null;
  // The tab counts follow the filters (the category only narrows the closed and all tabs, like the list).
  const countQuery = qs({
    assignee: filters.assignee === "me" ? `agent:${me.user?.id ?? ""}` : filters.assignee,
    channel_id: filters.channel,
    category: filters.status === "open" ? undefined : filters.category,
    q: filters.q.trim(),
  });
  const counts = useQuery({
    queryKey: ["counts", countQuery],
    queryFn: () => api<{ open: number; closed: number }>("GET", `/api/v1/conversations/counts${countQuery}`),
    placeholderData: (previous) => previous,
  });
  const channels = useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ data: Channel[] }>("GET", "/api/v1/channels"),
  });
  const categories = useQuery({
    queryKey: ["categories"],
    queryFn: () => api<{ data: Category[] }>("GET", "/api/v1/conversation-categories"),
  });
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => api<{ data: User[] }>("GET", "/api/v1/users"),
  });

  const set = (patch: Partial<InboxFilters>) =>
    navigate(
      `${selected ? `${base}/${encodeURIComponent(selected)}` : base}${writeFilters({ ...filters, ...patch })}`,
      { replace: true },
    );
  const tabs = [
    { key: "open", label: "Active", count: counts.data?.open },
    { key: "closed", label: "Closed", count: counts.data?.closed },
    { key: "all", label: "All", count: counts.data ? counts.data.open + counts.data.closed : undefined },
  ] as const;

  return (
    <div className={compact ? "inbox compact" : "inbox"}>
      <aside className="list-pane">
        <div className="tabs" role="tablist">
          {tabs.map((t) => (
            <button
              type="button"
              role="tab"
              key={t.key}
              aria-selected={filters.status === t.key}
              className={filters.status === t.key ? "tab active" : "tab"}
              onClick={() => set({ status: t.key, category: t.key === "open" ? "" : filters.category })}
              data-testid={`tab-${t.key}`}
            >
              {t.label} <span className="count">{t.count ?? "…"}</span>
            </button>
          ))}
        </div>
        <div className="filters">
          <input
            type="search"
            placeholder="Search name or phone"
            defaultValue={filters.q}
            onChange={(e) => set({ q: e.target.value })}
            aria-label="Search"
          />
          <select
            value={filters.assignee}
            onChange={(e) => set({ assignee: e.target.value })}
            aria-label="Assignee"
          >
            <option value="">Anyone</option>
            <option value="me">Assigned to me</option>
            <option value="none">Unassigned</option>
          </select>
          <select
            value={filters.channel}
            onChange={(e) => set({ channel: e.target.value })}
            aria-label="Channel"
          >
            <option value="">All numbers</option>
            {channels.data?.data.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          {filters.status !== "open" && (
            <select
              value={filters.category}
              onChange={(e) => set({ category: e.target.value })}
              aria-label="Category"
            >
              <option value="">Any category</option>
              {categories.data?.data.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </div>
        <ConversationList
          filters={filters}
          me={me}
          selected={selected}
          onSelect={(id) => navigate(`${base}/${encodeURIComponent(id)}${writeFilters(filters)}`)}
        />
      </aside>
      {selected ? (
        <ConversationView
          id={selected}
          me={me}
          users={users.data?.data ?? []}
          categories={categories.data?.data ?? []}
        />
      ) : (
        <section className="empty-pane">Pick a conversation</section>
      )}
      {selected && !compact && <ContactPanel conversationId={selected} users={users.data?.data ?? []} />}
    </div>
  );
}
