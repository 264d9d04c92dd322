import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, qs } from "../api/api.ts";
import type { Me, Page, Workflow, WorkflowRun } from "../api/apiTypes.ts";
import { navigate } from "../api/useRoute.ts";
import { ContactName } from "./ContactName.tsx";
import { isActive, Reason, RunTimeline } from "./RunTimeline.tsx";
import { when } from "./runText.ts";
import { StartBatch } from "./StartBatch.tsx";
import { WorkflowHeader } from "./WorkflowHeader.tsx";

const STATUSES = ["", "running", "waiting", "completed", "failed", "cancelled", "skipped"] as const;

/** A workflow's runs, newest first, a page at a time; the selected run's timeline beside them. */
export function RunHistory({ me, workflowId, runId }: { me: Me; workflowId: string; runId: string | null }) {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>("");
  const wf = useQuery({
    queryKey: ["workflow", workflowId],
    queryFn: () => api<Workflow>("GET", `/api/v1/workflows/${workflowId}`),
  });
  const runs = useInfiniteQuery({
    queryKey: ["workflow-runs", workflowId, status],
    queryFn: ({ pageParam }) =>
      api<Page<WorkflowRun>>(
        "GET",
        `/api/v1/workflows/${workflowId}/runs${qs({ status, limit: 25, cursor: pageParam })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p) => p.next_cursor ?? undefined,
    // New runs start without an event the app listens to; poll, faster while some are still moving.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.data.some((r) => isActive(r.status))) ? 2000 : 5000,
  });
  const rows = runs.data?.pages.flatMap((p) => p.data) ?? [];
  const open = (id: string) => navigate(`/workflows/${workflowId}/runs?run=${id}`, { replace: true });

  return (
    <div className="wf-runs-page">
      <WorkflowHeader workflowId={workflowId} tab="runs" title={<h2>{wf.data?.name ?? "…"}</h2>}>
        <label className="field inline">
          <span>Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as (typeof STATUSES)[number])}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || "all"}
              </option>
            ))}
          </select>
        </label>
      </WorkflowHeader>
      <div className="wf-runs">
        <div className="wf-runs-list">
          {wf.data?.trigger_type === "manual" && me.role !== "agent" && (
            <StartBatch workflowId={workflowId} />
          )}
          {runs.error && <p className="error">{runs.error.message}</p>}
          <table className="wf-table" data-testid="runs">
            <thead>
              <tr>
                <th>Status</th>
                <th>Contact</th>
                <th>Started</th>
                <th>Finished</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={r.id}
                  data-testid="run-row"
                  className={r.id === runId ? "selected" : ""}
                  onClick={() => open(r.id)}
                >
                  <td>
                    <span className={`pill run-${r.status}`}>{r.status}</span>
                  </td>
                  <td>
                    <ContactName id={r.contact_id} />
                  </td>
                  <td>{when(r.created_at)}</td>
                  <td>{when(r.finished_at)}</td>
                  <td className="small">
                    {r.skip_reason ? <Reason code={r.skip_reason} /> : (r.error ?? "")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && runs.isSuccess && (
            <p className="placeholder" data-testid="no-runs">
              {status ? `No ${status} runs.` : "No runs yet."}
            </p>
          )}
          {runs.hasNextPage && (
            <button type="button" disabled={runs.isFetchingNextPage} onClick={() => runs.fetchNextPage()}>
              Load more
            </button>
          )}
        </div>
        <div className="wf-run-detail">
          {runId ? (
            <RunTimeline runId={runId} canCancel={me.role !== "agent"} />
          ) : (
            <p className="muted">Select a run to see its steps.</p>
          )}
        </div>
      </div>
    </div>
  );
}
