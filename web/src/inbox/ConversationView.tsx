import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, qs } from "../api/api.ts";
import type { Category, Conversation, Me, Message, Page, TimelineEntry, User } from "../api/apiTypes.ts";
import { fetchAllPages } from "../api/fetchAllPages.ts";
import { CloseDialog } from "./CloseDialog.tsx";
import { Composer } from "./Composer.tsx";
import { LifecycleMarker } from "./LifecycleMarker.tsx";
import { MessageBubble } from "./MessageBubble.tsx";
import { WindowCountdown } from "./WindowCountdown.tsx";

const MARKERS = new Set([
  "conversation.opened",
  "conversation.reopened",
  "conversation.closed",
  "conversation.assigned",
  "conversation.commented",
]);

type Item = { at: string; kind: "message"; m: Message } | { at: string; kind: "marker"; e: TimelineEntry };

/** One conversation: header actions (assign, close, reopen), the history with lifecycle markers, the composer. */
export function ConversationView(props: { id: string; me: Me; users: User[]; categories: Category[] }) {
  const client = useQueryClient();
  const [closing, setClosing] = useState(false);
  const conv = useQuery({
    queryKey: ["conversation", props.id],
    queryFn: () => api<Conversation>("GET", `/api/v1/conversations/${props.id}`),
  });
  // Newest first, a page at a time: the view opens at the latest messages however long the history is, and
  // "Load earlier messages" walks back.
  const messages = useInfiniteQuery({
    queryKey: ["messages", props.id],
    queryFn: ({ pageParam }) =>
      api<Page<Message>>(
        "GET",
        `/api/v1/conversations/${props.id}/messages${qs({ limit: 100, order: "newest", cursor: pageParam })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const contactId = conv.data?.contact_id;
  const timeline = useQuery({
    queryKey: ["contact", contactId, "timeline"],
    queryFn: () =>
      fetchAllPages<TimelineEntry>(
        `/api/v1/contacts/${contactId}/timeline${qs({ limit: 200, order: "newest", types: [...MARKERS].join(",") })}`,
        5,
      ),
    enabled: Boolean(contactId),
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["conversation", props.id] });
    void client.invalidateQueries({ queryKey: ["conversations"] });
    void client.invalidateQueries({ queryKey: ["counts"] });
    if (contactId) void client.invalidateQueries({ queryKey: ["contact", contactId] });
  };
  const assign = useMutation({
    mutationFn: (value: string) =>
      api<Conversation>(
        "POST",
        `/api/v1/conversations/${props.id}/assign`,
        value === "none" || value === "bot" ? { type: value } : { type: "agent", agent_id: value },
      ),
    onSuccess: refresh,
  });
  const reopen = useMutation({
    mutationFn: (c: Conversation) =>
      api("POST", "/api/v1/conversations/open", { contact_id: c.contact_id, channel_id: c.channel_id }),
    onSuccess: refresh,
  });

  const bottom = useRef<HTMLDivElement>(null);
  const loaded = (messages.data?.pages ?? []).flatMap((p) => p.data);
  const newestId = loaded[0]?.id;
  // Scroll to the end when a newer message arrives, not when earlier ones are loaded above.
  useEffect(() => {
    if (newestId) bottom.current?.scrollIntoView({ block: "end" });
  }, [newestId]);

  if (conv.isPending) return <section className="conversation">Loading…</section>;
  if (conv.error) return <section className="conversation error">{conv.error.message}</section>;
  const c = conv.data;
  const userName = (id: string | null) => props.users.find((u) => u.id === id)?.name ?? null;
  const categoryName = (key: string) => props.categories.find((k) => k.key === key)?.name ?? key;
  // While earlier messages are still unloaded, markers older than the oldest loaded message wait with them.
  const from = messages.hasNextPage ? (loaded.at(-1)?.created_at ?? "") : "";
  const items: Item[] = [
    ...loaded.map((m) => ({ at: m.created_at, kind: "message" as const, m })),
    ...(timeline.data ?? [])
      .filter((e) => e.conversation_id === c.id && MARKERS.has(e.type) && e.at >= from)
      .map((e) => ({ at: e.at, kind: "marker" as const, e })),
  ].sort((a, b) => a.at.localeCompare(b.at) || (a.kind === "marker" ? -1 : 1));
  const assigneeValue = c.assignee.type === "agent" ? (c.assignee.agent_id ?? "") : c.assignee.type;

  return (
    <section className="conversation" data-testid="conversation-view">
      <header className="conv-header">
        <div>
          <h2>{c.contact?.name ?? c.contact?.phone ?? "Conversation"}</h2>
          <span className="muted">
            {c.contact?.phone} · <span data-testid="conversation-status">{c.status}</span>
            {c.status === "open" && (
              <>
                {" · "}
                <WindowCountdown expiresAt={c.window_expires_at} />
              </>
            )}
          </span>
        </div>
        <div className="actions">
          <select
            aria-label="Assignee"
            value={assigneeValue}
            onChange={(e) => assign.mutate(e.target.value)}
            disabled={c.status !== "open"}
          >
            <option value="none">Unassigned</option>
            <option value="bot">Bot</option>
            {props.users
              .filter((u) => !u.disabled)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.id === props.me.user?.id ? `Me (${u.name})` : u.name}
                </option>
              ))}
          </select>
          {c.status === "open" ? (
            <button type="button" className="primary" onClick={() => setClosing(true)}>
              Close
            </button>
          ) : (
            <button type="button" onClick={() => reopen.mutate(c)} disabled={reopen.isPending}>
              Reopen
            </button>
          )}
        </div>
      </header>
      <div className="messages" data-testid="messages">
        {messages.hasNextPage && (
          <button
            type="button"
            className="load-earlier"
            onClick={() => void messages.fetchNextPage()}
            disabled={messages.isFetchingNextPage}
          >
            {messages.isFetchingNextPage ? "Loading…" : "Load earlier messages"}
          </button>
        )}
        {items.map((it) =>
          it.kind === "message" ? (
            <MessageBubble
              key={`m${it.m.id}`}
              m={it.m}
              contactName={c.contact?.name ?? null}
              userName={userName}
            />
          ) : (
            <LifecycleMarker key={`e${it.e.id}`} e={it.e} userName={userName} categoryName={categoryName} />
          ),
        )}
        <div ref={bottom} />
      </div>
      <Composer conversation={c} />
      {closing && (
        <CloseDialog
          conversation={c}
          categories={props.categories}
          onClose={() => setClosing(false)}
          onClosed={() => {
            setClosing(false);
            refresh();
          }}
        />
      )}
    </section>
  );
}
