import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/api.ts";
import type { Me, SessionInfo } from "../api/apiTypes.ts";

/** The signed-in person's sessions: where they are signed in, and a way to end any of them at once. */
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
  return (
    <div className="settings">
      <section className="card">
        <h3>{me.user?.name}</h3>
        <p className="muted">
          {me.user?.email} · {me.role}
        </p>
      </section>
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
