import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { api } from "../api/api.ts";
import type { Me, PhoneMessage } from "../api/apiTypes.ts";
import { onLiveEvent } from "../api/useLiveEvents.ts";
import { InboxPage } from "../inbox/InboxPage.tsx";

const TICK: Record<PhoneMessage["status"], string> = {
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
  failed: "⚠",
  received: "",
};

/**
 * Try it as the customer: a WhatsApp-like chat on a simulated phone, wired to the sandbox number. Whatever is
 * typed here arrives through the same signed webhook path as a real customer's message.
 */
export function SimulatorPage({ me }: { me: Me }) {
  const [phone, setPhone] = useState(() => localStorage.getItem("sim.phone") ?? "+15550100200");
  const [name, setName] = useState(() => localStorage.getItem("sim.name") ?? "Sam Customer");
  const [text, setText] = useState("");
  const digits = phone.replace(/\D/g, "");
  const valid = digits.length >= 6 && digits.length <= 15;
  const chat = useQuery({
    queryKey: ["sim", digits],
    queryFn: () => api<{ data: PhoneMessage[] }>("GET", `/sandbox/phones/${digits}/messages`),
    enabled: valid,
    // The phone's own view changes without a workspace event (the simulator's ticks); a light poll covers it.
    refetchInterval: 1500,
  });
  const { refetch } = chat;
  useEffect(() => onLiveEvent(() => void refetch()), [refetch]);
  useEffect(() => {
    localStorage.setItem("sim.phone", phone);
    localStorage.setItem("sim.name", name);
  }, [phone, name]);
  const say = useMutation({
    mutationFn: (body: { text: string } | { reply: { id: string } }) =>
      api("POST", `/sandbox/phones/${digits}/messages`, { ...body, name: name || undefined }),
    onSuccess: () => {
      setText("");
      void refetch();
    },
  });
  const bottom = useRef<HTMLDivElement>(null);
  const count = chat.data?.data.length ?? 0;
  useEffect(() => {
    if (count) bottom.current?.scrollIntoView({ block: "end" });
  }, [count]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) say.mutate({ text: text.trim() });
  };
  return (
    <div className="simulator">
      <div className="phone">
        <div className="phone-top">
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Customer name" />
          <input value={phone} onChange={(e) => setPhone(e.target.value)} aria-label="Customer phone" />
        </div>
        <div className="phone-chat" data-testid="phone-chat">
          {chat.data?.data.map((m) => (
            <div
              key={m.id}
              className={`wa ${m.direction === "from_phone" ? "mine" : "theirs"}`}
              data-testid="phone-message"
            >
              {m.template_name && <div className="muted">template {m.template_name}</div>}
              <div>{m.text}</div>
              {m.options.length > 0 && (
                <div className="wa-options">
                  {m.options.map((o) => (
                    <button type="button" key={o.id} onClick={() => say.mutate({ reply: { id: o.id } })}>
                      {o.title}
                    </button>
                  ))}
                </div>
              )}
              <div className="meta">
                {new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
                {m.direction === "from_phone" && (
                  <span className={`ticks ${m.status}`}> {TICK[m.status]}</span>
                )}
              </div>
              {m.error && <div className="error">{m.error.title}</div>}
            </div>
          ))}
          <div ref={bottom} />
        </div>
        <form className="phone-composer" onSubmit={submit}>
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Message"
            aria-label="Customer message"
            disabled={!valid}
          />
          <button type="submit" disabled={!valid || !text.trim() || say.isPending}>
            Send
          </button>
        </form>
        {say.error && <p className="error">{say.error.message}</p>}
      </div>
      <div className="simulator-inbox">
        <p className="muted">
          Try it as the customer: this phone talks to your sandbox WhatsApp number. What it sends arrives in
          the inbox beside it, live; replies and templates come back with their ticks.
        </p>
        <InboxPage me={me} base="/simulate" compact />
      </div>
    </div>
  );
}
