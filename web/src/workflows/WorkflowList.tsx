import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/api.ts";
import type { Me, RunCounts, WorkflowListItem } from "../api/apiTypes.ts";
import { navigate } from "../api/useRoute.ts";
import { Link } from "../layout/Shell.tsx";
import { triggerLabel } from "./stepCatalog.ts";

const SHOWN: (keyof RunCounts)[] = ["running", "waiting", "completed", "failed", "skipped", "cancelled"];

/** Every workflow with its trigger, on/off switch, version and the last 24 hours of runs. */
export function WorkflowList({ me }: { me: Me }) {
  const client = useQueryClient();
  const canEdit = me.role !== "agent";
  const list = useQuery({
    queryKey: ["workflows"],
    queryFn: () => api<{ data: WorkflowListItem[] }>("GET", "/api/v1/workflows"),
    // Counts move while runs happen, with no event per run: refetch on every visit and poll slowly meanwhile.
    staleTime: 0,
    refetchInterval: 10_000,
  });
  // The switch shows the user's choice until the server's list confirms it: a controlled checkbox would otherwise
  // snap back, and a list refetch already in flight would bring the old state back over it.
  const [flipped, setFlipped] = useState<Record<string, boolean>>({});
  const toggle = useMutation({
    mutationFn: (a: { id: string; enable: boolean }) =>
      api("POST", `/api/v1/workflows/${a.id}/${a.enable ? "enable" : "disable"}`),
    onSettled: async (_d, _e, a) => {
      await client.invalidateQueries({ queryKey: ["workflows"] });
      setFlipped(({ [a.id]: _, ...rest }) => rest);
    },
  });
  const flip = (id: string, enable: boolean) => {
    setFlipped((f) => ({ ...f, [id]: enable }));
    toggle.mutate({ id, enable });
  };

  return (
    <div className="wf-list-page">
      <div className="wf-header">
        <h2>Workflows</h2>
        <div className="wf-actions">
          {canEdit && (
            <button type="button" className="primary" onClick={() => navigate("/workflows/new")}>
              New workflow
            </button>
          )}
        </div>
      </div>
      {list.error && <p className="error">{list.error.message}</p>}
      {toggle.error && <p className="error">{toggle.error.message}</p>}
      {list.data && list.data.data.length === 0 && (
        <p className="placeholder">No workflows yet.{canEdit ? " Create one with New workflow." : ""}</p>
      )}
      {list.data && list.data.data.length > 0 && (
        <table className="wf-table" data-testid="workflows">
          <thead>
            <tr>
              <th>Name</th>
              <th>Trigger</th>
              <th>Enabled</th>
              <th>Version</th>
              <th>Runs (24 h)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((w) => (
              <tr key={w.id} data-testid="workflow-row">
                <td>
                  <Link to={`/workflows/${w.id}`}>{w.name}</Link>
                  {w.hook_url && (
                    <div className="muted small">
                      Hook: <code>{new URL(w.hook_url, window.location.origin).href}</code>
                    </div>
                  )}
                </td>
                <td>{triggerLabel(w.trigger_type)}</td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      aria-label={`Enabled: ${w.name}`}
                      checked={flipped[w.id] ?? w.enabled}
                      disabled={!canEdit}
                      onChange={(e) => flip(w.id, e.target.checked)}
                    />
                    <span>{(flipped[w.id] ?? w.enabled) ? "On" : "Off"}</span>
                  </label>
                </td>
                <td>v{w.version}</td>
                <td data-testid="run-counts">
                  {SHOWN.filter((s) => w.run_counts[s] > 0).map((s) => (
                    <span key={s} className={`pill run-${s}`}>
                      {w.run_counts[s]} {s}
                    </span>
                  ))}
                  {SHOWN.every((s) => w.run_counts[s] === 0) && <span className="muted">none</span>}
                </td>
                <td>
                  <Link to={`/workflows/${w.id}/runs`}>Runs</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
