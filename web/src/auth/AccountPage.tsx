import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/api.ts";
import type { Me, PasswordChange, SessionInfo } from "../api/apiTypes.ts";

/**
 * The signed-in person's account: their password (changing it ends their other sessions) and their sessions,
 * where they are signed in, with a way to end any of them at once.
 */
export function AccountPage({ me }: { me: Me }) {
  const client = useQueryClient();
  const sessions = useQuery({
    queryKey: ["sessions"],
    queryFn: () => api<{ data: SessionInfo[] }>("GET", "/api/v1/me/sessions"),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api("DELETE", `/api/v1/me/sessions/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["sessions"] }),
  });
  const [changed, setChanged] = useState(false);
  const password = useMutation({
    mutationFn: (body: PasswordChange) => api("POST", "/api/v1/me/password", body),
    onMutate: () => setChanged(false),
    onSuccess: () => {
      setChanged(true);
      void client.invalidateQueries({ queryKey: ["sessions"] });
    },
  });
  const changePassword = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    password.mutate(
      { current_password: String(f.get("current")), new_password: String(f.get("next")) },
      { onSuccess: () => form.reset() },
    );
  };
  return (
    <div className="settings">
      <section className="card">
        <h3>{me.user?.name}</h3>
        <p className="muted">
          {me.user?.email} · {me.role}
        </p>
      </section>
      {me.user && (
        <section className="card">
          <h3>Password</h3>
          <form onSubmit={changePassword} className="form-grid" data-testid="change-password">
            <label>
              Current password
              <input name="current" type="password" autoComplete="current-password" required />
            </label>
            <label>
              New password (10+ characters)
              <input name="next" type="password" autoComplete="new-password" minLength={10} required />
            </label>
            <button type="submit" className="primary" disabled={password.isPending}>
              Change password
            </button>
            {changed && <span className="muted">Changed; your other sessions were signed out</span>}
            {password.error && <span className="error">{password.error.message}</span>}
          </form>
        </section>
      )}
      <section className="card">
        <h3>Where you're signed in</h3>
        <table data-testid="sessions">
          <tbody>
            {sessions.data?.data.map((s) => (
              <tr key={s.id}>
                <td>{s.user_agent ?? "Unknown browser"}</td>
                <td>{s.ip}</td>
                <td>since {new Date(s.created_at).toLocaleString()}</td>
                <td>
                  {s.current ? (
                    <span className="muted">this browser</span>
                  ) : (
                    <button type="button" onClick={() => revoke.mutate(s.id)}>
                      Sign out
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {revoke.error && <p className="error">{revoke.error.message}</p>}
      </section>
    </div>
  );
}
