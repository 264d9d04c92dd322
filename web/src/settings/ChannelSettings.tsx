import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../api/api.ts";
import type { Channel, ChannelInput } from "../api/apiTypes.ts";

/** Meta's messaging-limit tiers; null follows the workspace's guardrail setting. */
const LIMITS: { value: Channel["messaging_limit"]; label: string }[] = [
  { value: null, label: "Workspace default" },
  { value: 250, label: "250" },
  { value: 2000, label: "2,000" },
  { value: 10000, label: "10,000" },
  { value: 100000, label: "100,000" },
  { value: "unlimited", label: "Unlimited" },
];

const randomToken = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * WhatsApp numbers: the list, a button for another sandbox number on the simulator, and a form to connect a
 * real one with the webhook URL and verify token to paste into Meta. Texts name the workspace's brand, never
 * the product.
 */
export function ChannelSettings({ brand }: { brand: string }) {
  const client = useQueryClient();
  const channels = useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ data: Channel[]; webhook_url: string }>("GET", "/api/v1/channels"),
  });
  const [verifyToken, setVerifyToken] = useState(randomToken);
  // The server knows the public address (PUBLIC_URL), which may differ from the one this browser uses.
  const webhookUrl = channels.data?.webhook_url ?? `${window.location.origin}/webhooks/whatsapp`;
  const create = useMutation({
    mutationFn: (body: ChannelInput) => api<Channel>("POST", "/api/v1/channels", body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["channels"] });
      setVerifyToken(randomToken());
    },
  });
  const sandbox = useMutation({
    mutationFn: () => api<Channel>("POST", "/sandbox/channels", {}),
    onSuccess: () => client.invalidateQueries({ queryKey: ["channels"] }),
  });
  const limit = useMutation({
    mutationFn: (a: { id: string; value: Channel["messaging_limit"] }) =>
      api<Channel>("PATCH", `/api/v1/channels/${a.id}`, { messaging_limit: a.value }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["channels"] }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const v = (k: string) => String(f.get(k) ?? "");
    create.mutate({
      name: v("name"),
      phone_number_id: v("phone_number_id"),
      display_phone_number: v("display_phone_number"),
      waba_id: v("waba_id"),
      access_token: v("access_token"),
      app_secret: v("app_secret"),
      verify_token: verifyToken,
    });
  };
  return (
    <section className="card">
      <h3>WhatsApp numbers</h3>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Number</th>
            <th>Kind</th>
            <th>Health</th>
            <th title="Meta's tier: unique contacts this number may start conversations with per rolling 24 h">
              Daily business-initiated limit
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.data?.data.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.display_phone_number}</td>
              <td>{c.kind === "sandbox" ? "sandbox (simulator)" : "Cloud API"}</td>
              <td>{c.healthy ? "healthy" : `unhealthy: ${c.unhealthy_reason ?? ""}`}</td>
              <td>
                <select
                  aria-label={`Daily limit of ${c.name}`}
                  value={String(c.messaging_limit ?? "")}
                  onChange={(e) =>
                    limit.mutate({
                      id: c.id,
                      value: LIMITS.find((l) => String(l.value ?? "") === e.target.value)?.value ?? null,
                    })
                  }
                >
                  {LIMITS.map((l) => (
                    <option key={String(l.value)} value={String(l.value ?? "")}>
                      {l.label}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="form-row">
        <button
          type="button"
          onClick={() => sandbox.mutate()}
          disabled={sandbox.isPending}
          data-testid="add-sandbox"
        >
          Add a sandbox number
        </button>
        <span className="muted">
          A number on the built-in WhatsApp simulator, with sample templates: try {brand} without Meta (play
          the customer on the Simulator page).
        </span>
      </p>
      {limit.error && <p className="error">{limit.error.message}</p>}
      {sandbox.error && (
        <p className="error">
          {sandbox.error instanceof ApiError && sandbox.error.status === 404
            ? "The simulator is off on this server (PARLEY_SIMULATOR=off)."
            : sandbox.error.message}
        </p>
      )}
      <details>
        <summary>Connect a real number</summary>
        <p className="muted">
          In Meta's app dashboard, under WhatsApp → Configuration, set the callback URL to{" "}
          <code data-testid="webhook-url">{webhookUrl}</code> and the verify token to{" "}
          <code>{verifyToken}</code>, then subscribe to the <code>messages</code> field.
        </p>
        <form onSubmit={submit} className="form-grid">
          <input name="name" placeholder="Name" required aria-label="Name" />
          <input
            name="display_phone_number"
            placeholder="+1 555 010 0000"
            required
            aria-label="Display phone number"
          />
          <input name="phone_number_id" placeholder="Phone number ID" required aria-label="Phone number ID" />
          <input name="waba_id" placeholder="WhatsApp Business Account ID" required aria-label="WABA ID" />
          <input
            name="access_token"
            placeholder="Access token"
            required
            type="password"
            aria-label="Access token"
          />
          <input
            name="app_secret"
            placeholder="App secret"
            required
            type="password"
            aria-label="App secret"
          />
          <button type="submit" className="primary" disabled={create.isPending}>
            Connect
          </button>
        </form>
        {create.error && <p className="error">{create.error.message}</p>}
      </details>
    </section>
  );
}
