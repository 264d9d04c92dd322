import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import { api, qs } from "../api/api.ts";
import type { Conversation, Me, Page } from "../api/apiTypes.ts";
import { timeAgo } from "./formatTime.ts";
import type { InboxFilters } from "./inboxFilters.ts";

const ROW_HEIGHT = 64;

/** The keyset-paginated, virtualized conversation list; more pages load as the end scrolls into view. */
export function ConversationList(props: {
  filters: InboxFilters;
  me: Me;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const f = props.filters;
  const assignee = f.assignee === "me" ? `agent:${props.me.user?.id ?? ""}` : f.assignee;
  const query = useInfiniteQuery({
    queryKey: ["conversations", f.status, assignee, f.channel, f.category, f.q],
    queryFn: ({ pageParam }) =>
      api<Page<Conversation>>(
        "GET",
        `/api/v1/conversations${qs({
          status: f.status === "all" ? undefined : f.status,
          assignee,
          channel_id: f.channel,
          category: f.status === "open" ? undefined : f.category,
          q: f.q.trim(),
          limit: 50,
          cursor: pageParam,
        })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (lastIndex >= rows.length - 5 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (query.isPending) return <div className="list-empty">Loading…</div>;
  if (query.error) return <div className="list-empty error">{query.error.message}</div>;
  if (rows.length === 0) return <div className="list-empty">No conversations here</div>;
  return (
    <div className="conversation-list" ref={scroller} data-testid="conversation-list">
      <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
        {items.map((item) => {
          const c = rows[item.index]!;
          return (
            <button
              type="button"
              key={c.id}
              className={c.id === props.selected ? "row selected" : "row"}
              style={{
                position: "absolute",
                top: 0,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`,
              }}
              onClick={() => props.onSelect(c.id)}
              data-testid="conversation-row"
              data-phone={c.contact?.phone}
            >
              <span className="row-title">{c.contact?.name ?? c.contact?.phone ?? c.contact_id}</span>
              <span className="row-time">{timeAgo(c.last_activity_at)}</span>
              <span className="row-sub">
                {c.status === "closed" ? (
                  <span className="pill closed">{c.category?.name ?? "Closed"}</span>
                ) : (
                  <span className="pill open">open</span>
                )}
                {c.contact?.phone}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
