import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

export interface LiveEvent {
  id: number;
  type: string;
  conversation_id: string | null;
  contact_id: string | null;
  [k: string]: unknown;
}

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();

/** Lets a screen react to events beyond cache invalidation (e.g. the simulator's chat). */
export function onLiveEvent(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Which cached queries an event makes stale. Invalidation (rather than patching caches by hand) keeps one
 * source of truth — the server — at the cost of a refetch, which the list's keyset pages make cheap.
 */
function invalidate(client: QueryClient, e: LiveEvent) {
  if (e.type.startsWith("conversation.")) {
    void client.invalidateQueries({ queryKey: ["conversations"] });
    void client.invalidateQueries({ queryKey: ["counts"] });
    if (e.conversation_id) void client.invalidateQueries({ queryKey: ["conversation", e.conversation_id] });
    if (e.contact_id) void client.invalidateQueries({ queryKey: ["contact", e.contact_id] });
  }
  if (e.type.startsWith("message.")) {
    if (e.conversation_id) void client.invalidateQueries({ queryKey: ["messages", e.conversation_id] });
    if (e.type === "message.created") {
      void client.invalidateQueries({ queryKey: ["conversations"] });
      if (e.conversation_id) void client.invalidateQueries({ queryKey: ["conversation", e.conversation_id] });
    }
  }
  if (e.type === "contact.updated" && e.contact_id)
    void client.invalidateQueries({ queryKey: ["contact", e.contact_id] });
}

/** Subscribes to the workspace's event stream for as long as the app is signed in; returns whether it is connected. */
export function useLiveEvents(enabled: boolean): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    // EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed across a blip.
    const source = new EventSource("/api/v1/events");
    const handle = (msg: MessageEvent<string>) => {
      const e = JSON.parse(msg.data) as LiveEvent;
      invalidate(client, e);
      for (const fn of listeners) fn(e);
    };
    const types = [
      "conversation.opened",
      "conversation.reopened",
      "conversation.closed",
      "conversation.assigned",
      "conversation.commented",
      "message.created",
      "message.status_changed",
      "contact.updated",
    ];
    for (const t of types) source.addEventListener(t, handle);
    // Away for too long to be sent everything missed: reload everything on screen instead.
    source.addEventListener("stream.reset", () => void client.invalidateQueries());
    source.onopen = () => setConnected(true);
    source.onerror = () => {
      setConnected(false);
      // The stream also ends when the session is revoked: re-check it, which shows sign-in if so.
      void client.invalidateQueries({ queryKey: ["me"] });
    };
    return () => source.close();
  }, [enabled, client]);
  return connected;
}
