import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../api/api.ts";
import type { Conversation, Message, OutboundMessage } from "../api/apiTypes.ts";
import { TemplatePicker } from "./TemplatePicker.tsx";

/**
 * Inside the 24-hour window: a free-form reply. Outside it WhatsApp only accepts templates, so the composer
 * becomes a template picker (as respond.io does) rather than letting the agent type a message that will fail.
 */
export function Composer({ conversation }: { conversation: Conversation }) {
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);
  const send = useMutation({
    mutationFn: (body: OutboundMessage) =>
      api<Message>("POST", `/api/v1/conversations/${conversation.id}/messages`, body),
    onSuccess: () => {
      setText("");
      void client.invalidateQueries({ queryKey: ["messages", conversation.id] });
      void client.invalidateQueries({ queryKey: ["conversation", conversation.id] });
    },
  });
  const windowOpen =
    conversation.window_expires_at !== null && Date.parse(conversation.window_expires_at) > now;

  if (!windowOpen)
    return (
      <div className="composer">
        <TemplatePicker
          channelId={conversation.channel_id}
          busy={send.isPending}
          error={send.error?.message ?? null}
          onSend={(template) => send.mutate({ template })}
        />
      </div>
    );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) send.mutate({ text: text.trim() });
  };
  return (
    <form className="composer" onSubmit={submit}>
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) submit(e);
        }}
        placeholder="Reply… (Enter to send, Shift+Enter for a new line)"
        aria-label="Reply"
        rows={2}
      />
      <button type="submit" className="primary" disabled={send.isPending || !text.trim()}>
        Send
      </button>
      {send.error && <p className="error">{send.error.message}</p>}
    </form>
  );
}
