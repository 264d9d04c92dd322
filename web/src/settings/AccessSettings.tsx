import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/api.ts";
import type { ApiKey, Me, NewApiKey, NewUser, User } from "../api/apiTypes.ts";

/** People (invite with a role and an initial password, change roles, disable, set a new password) and API keys (shown once, revocable). */
export function AccessSettings({ me, keys }: { me: Me; keys: ApiKey[] }) {
  const client = useQueryClient();
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => api<{ data: User[] }>("GET", "/api/v1/users"),
  });
  const [newKey, setNewKey] = useState<NewApiKey | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);
  const [resetDone, setResetDone] = useState<string | null>(null);
  const invite = useMutation({
    mutationFn: (body: NewUser) => api<User>("POST", "/api/v1/users", body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
  const patchUser = useMutation({
    mutationFn: (a: { id: string; body: Record<string, unknown> }) =>
      api("PATCH", `/api/v1/users/${a.id}`, a.body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
  const resetPassword = useMutation({
    mutationFn: (a: { id: string; password: string }) =>
      api<User>("PATCH", `/api/v1/users/${a.id}`, { password: a.password }),
    onSuccess: (u) => {
      setResetting(null);
      setResetDone(u.email);
    },
  });
  const createKey = useMutation({
    mutationFn: (name: string) => api<NewApiKey>("POST", "/api/v1/api-keys", { name }),
    onSuccess: (k) => {
      setNewKey(k);
      void client.invalidateQueries({ queryKey: ["api-keys"] });
    },
  });
  const revokeKey = useMutation({
    mutationFn: (id: string) => api("DELETE", `/api/v1/api-keys/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  const submitInvite = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setResetDone(null);
    // The form keeps what was typed until the server accepts it (a taken email is easy to fix in place).
    invite.mutate(
      {
        name: String(f.get("name")),
        email: String(f.get("email")),
        password: String(f.get("password")),
        role: f.get("role") === "admin" ? "admin" : "agent",
      },
      { onSuccess: () => form.reset() },
    );
  };
  return (
    <>
      <section className="card">
        <h3>Agents</h3>
        <table data-testid="users">
          <tbody>
            {users.data?.data.map((u) => (
              <tr key={u.id} className={u.disabled ? "archived" : ""}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>
                  {u.role === "owner" || u.id === me.user?.id ? (
                    u.role
                  ) : (
                    <select
                      value={u.role}
                      aria-label={`Role of ${u.email}`}
                      onChange={(e) => patchUser.mutate({ id: u.id, body: { role: e.target.value } })}
                    >
                      <option value="agent">agent</option>
                      <option value="admin">admin</option>
                    </select>
                  )}
                </td>
                <td>
                  {u.role !== "owner" && u.id !== me.user?.id && (
                    <>
                      <button
                        type="button"
                        onClick={() => patchUser.mutate({ id: u.id, body: { disabled: !u.disabled } })}
                      >
                        {u.disabled ? "Enable" : "Disable"}
                      </button>{" "}
                      {resetting === u.id ? (
                        <form
                          className="inline-form"
                          onSubmit={(e) => {
                            e.preventDefault();
                            const password = String(new FormData(e.currentTarget).get("password"));
                            resetPassword.mutate({ id: u.id, password });
                          }}
                        >
                          <input
                            name="password"
                            type="text"
                            minLength={10}
                            required
                            placeholder="New password (10+)"
                            aria-label={`New password for ${u.email}`}
                          />
                          <button type="submit">Set</button>
                          <button type="button" onClick={() => setResetting(null)}>
                            Cancel
                          </button>
                        </form>
                      ) : (
                        <button type="button" onClick={() => setResetting(u.id)}>
                          Set password
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form onSubmit={submitInvite} className="form-row">
          <input name="name" placeholder="Name" required aria-label="Agent name" />
          <input name="email" type="email" placeholder="Email" required aria-label="Agent email" />
          <input
            name="password"
            type="text"
            placeholder="Initial password (10+)"
            minLength={10}
            required
            aria-label="Initial password"
          />
          <select name="role" aria-label="Role" defaultValue="agent">
            <option value="agent">agent</option>
            <option value="admin">admin</option>
          </select>
          <button type="submit">Invite</button>
        </form>
        <p className="muted">
          Add people with an initial password and hand it to them; they can change it under their name (top
          right). Agents work the inbox and see reports; admins also manage settings, numbers, people and
          keys.
        </p>
        {resetDone && <p className="notice">New password set for {resetDone}; their sessions were ended.</p>}
        {(invite.error ?? patchUser.error ?? resetPassword.error) && (
          <p className="error">{(invite.error ?? patchUser.error ?? resetPassword.error)?.message}</p>
        )}
      </section>
      <section className="card">
        <h3>API keys</h3>
        {newKey && (
          <p className="notice" data-testid="new-key">
            Copy this key now, it won't be shown again: <code>{newKey.key}</code>
          </p>
        )}
        <table>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{new Date(k.created_at).toLocaleDateString()}</td>
                <td>
                  <button type="button" onClick={() => revokeKey.mutate(k.id)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            createKey.mutate(String(new FormData(e.currentTarget).get("name")));
            e.currentTarget.reset();
          }}
        >
          <input name="name" placeholder="Key name, e.g. zapier" required aria-label="Key name" />
          <button type="submit">Create key</button>
        </form>
      </section>
    </>
  );
}
