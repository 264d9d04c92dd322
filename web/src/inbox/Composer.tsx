import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../api/api.ts";
import type { Conversation, Message, OutboundMessage } from "../api/apiTypes.ts";
import { TemplatePicker } from "./TemplatePicker.tsx";

type Mode = "reply" | "note";

/**
 * Reply to the customer or leave an internal note for the team. Inside the 24-hour window a reply is free-form;
 * outside it WhatsApp only accepts templates, so the reply box becomes a template picker (as respond.io does)
 * rather than letting the agent type a message that will fail.
 */
export function Composer({ conversation }: { conversation: Conversation }) {
  const client = useQueryClient();
  const [mode, setMode] = useState<Mode>("reply");
  const [text, setText] = useState("");
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["messages", conversation.id] });
    void client.invalidateQueries({ queryKey: ["conversation", conversation.id] });
    void client.invalidateQueries({ queryKey: ["contact", conversation.contact_id] });
  };
  const send = useMutation({
    mutationFn: (body: OutboundMessage) =>
      api<Message>("POST", `/api/v1/conversations/${conversation.id}/messages`, body),
    onSuccess: () => {
      setText("");
      refresh();
    },
  });
  const note = useMutation({
    mutationFn: (body: { text: string }) =>
      api("POST", `/api/v1/conversations/${conversation.id}/comments`, body),
    onSuccess: () => {
      setText("");
      refresh();
    },
  });
  const windowOpen =
    conversation.window_expires_at !== null && Date.parse(conversation.window_expires_at) > now;
  const modes = (
    <div className="composer-modes" role="tablist">
      {(["reply", "note"] as const).map((m) => (
        <button
          type="button"
          role="tab"
          key={m}
          aria-selected={mode === m}
          className={mode === m ? "active" : ""}
          onClick={() => setMode(m)}
        >
          {m === "reply" ? "Reply" : "Internal note"}
        </button>
      ))}
    </div>
  );

  if (mode === "reply" && !windowOpen)
    return (
      <div className="composer">
        {modes}
        <TemplatePicker
          channelId={conversation.channel_id}
          busy={send.isPending}
          error={send.error?.message ?? null}
          onSend={(template) => send.mutate({ template })}
        />
      </div>
    );

  const pending = send.isPending || note.isPending;
  const error = (mode === "reply" ? send.error : note.error)?.message;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = text.trim();
    if (!value || pending) return;
    if (mode === "reply") send.mutate({ text: value });
    else note.mutate({ text: value });
  };
  return (
    <form className={mode === "note" ? "composer note-mode" : "composer"} onSubmit={submit}>
      {modes}
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) submit(e);
        }}
        placeholder={
          mode === "reply"
            ? "Reply… (Enter to send, Shift+Enter for a new line)"
            : "Note for your team — the customer never sees it"
        }
        aria-label={mode === "reply" ? "Reply" : "Internal note"}
        rows={2}
      />
      <button type="submit" className="primary" disabled={pending || !text.trim()}>
        {mode === "reply" ? "Send" : "Add note"}
      </button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}
