import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/api.ts";
import type { WorkflowRun } from "../api/apiTypes.ts";
import { Link } from "../layout/Shell.tsx";
import { ContactName } from "./ContactName.tsx";
import { stepLabel } from "./stepCatalog.ts";

export const isActive = (status: string) => status === "running" || status === "waiting";
export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** One run: its outcome, the conversation it worked on, and each step it took with times and reasons. */
export function RunTimeline({ runId }: { runId: string }) {
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ["workflow-run", runId],
    queryFn: () => api<WorkflowRun>("GET", `/api/v1/workflow-runs/${runId}`),
    // A live run moves without a domain event per step: poll until it finishes.
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data.status) ? false : 1500),
  });
  const cancel = useMutation({
    mutationFn: () => api<WorkflowRun>("POST", `/api/v1/workflow-runs/${runId}/cancel`),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["workflow-run", runId] });
      void client.invalidateQueries({ queryKey: ["workflow-runs"] });
    },
  });
  if (run.error) return <p className="error">{run.error.message}</p>;
  const r = run.data;
  if (!r) return <p className="muted">Loading…</p>;
  return (
    <div className="run-timeline" data-testid="run-timeline">
      <h3>
        Run{" "}
        <span className={`pill run-${r.status}`} data-testid="run-status">
          {r.status}
        </span>
      </h3>
      <dl className="run-facts">
        <dt>Contact</dt>
        <dd>
          <ContactName id={r.contact_id} />
        </dd>
        <dt>Conversation</dt>
        <dd>{r.conversation_id ? <Link to={`/inbox/${r.conversation_id}`}>Open in inbox</Link> : "—"}</dd>
        <dt>Version</dt>
        <dd>v{r.version}</dd>
        <dt>Started</dt>
        <dd>{when(r.created_at)}</dd>
        <dt>Finished</dt>
        <dd>{when(r.finished_at)}</dd>
        {r.wake_at && (
          <>
            <dt>Wakes</dt>
            <dd>{when(r.wake_at)}</dd>
          </>
        )}
        {r.skip_reason && (
          <>
            <dt>Skipped</dt>
            <dd>{r.skip_reason}</dd>
          </>
        )}
        {r.error && (
          <>
            <dt>Error</dt>
            <dd className="error">{r.error}</dd>
          </>
        )}
      </dl>
      {isActive(r.status) && (
        <button type="button" className="danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
          Cancel run
        </button>
      )}
      {cancel.error && <p className="error">{cancel.error.message}</p>}
      <ol className="steps">
        {(r.steps ?? []).map((s) => (
          <li key={s.seq} className={`step step-${s.status}`} data-testid="run-step" data-step={s.id}>
            <div>
              <strong>{s.id}</strong> <span className="muted">{stepLabel(s.type)}</span>{" "}
              <span className={`pill run-${s.status}`}>
                {s.status === "waiting" && s.finished_at ? "waited" : s.status}
              </span>
            </div>
            <div className="muted small">
              {when(s.started_at)}
              {s.finished_at && s.finished_at !== s.started_at ? ` → ${when(s.finished_at)}` : ""}
            </div>
            {s.skip_reason && <div className="small">Reason: {s.skip_reason}</div>}
            {s.error && <div className="small error">{s.error}</div>}
          </li>
        ))}
        {r.steps?.length === 0 && <li className="muted">No steps yet.</li>}
      </ol>
    </div>
  );
}
