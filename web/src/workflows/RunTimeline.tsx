import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { api } from "../api/api.ts";
import type { WorkflowRun } from "../api/apiTypes.ts";
import { Link } from "../layout/Shell.tsx";
import { ContactName } from "./ContactName.tsx";
import { reasonLabel, stepNotes, stepTimes, when } from "./runText.ts";
import { stepLabel } from "./stepCatalog.ts";

export const isActive = (status: string) => status === "running" || status === "waiting";

/** A skip or defer reason readable, its code kept in the title. */
export function Reason({ code }: { code: string }) {
  return (
    <span title={code} data-reason={code}>
      {reasonLabel(code)}
    </span>
  );
}

/**
 * Asks before cancelling: a modal <dialog> (focus moves into it and stays there, Escape dismisses), with the
 * safe choice focused first.
 */
function ConfirmCancel(props: { pending: boolean; onConfirm: () => void; onDismiss: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const title = useId();
  const text = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={title}
      aria-describedby={text}
      data-testid="confirm-cancel"
      onCancel={(e) => {
        e.preventDefault();
        props.onDismiss();
      }}
    >
      <h3 id={title}>Cancel this run?</h3>
      <p id={text}>
        The run stops where it is and does not take its remaining steps. Messages already sent stay sent. This
        can't be undone.
      </p>
      <div className="dialog-actions">
        {/* biome-ignore lint/a11y/noAutofocus: the dialog's safe choice takes the focus when it opens */}
        <button type="button" autoFocus onClick={props.onDismiss}>
          Keep running
        </button>
        <button type="button" className="danger" disabled={props.pending} onClick={props.onConfirm}>
          Yes, cancel run
        </button>
      </div>
    </dialog>
  );
}

/** One run: its outcome, the conversation it worked on, and each step it took with times and reasons. */
/** `canCancel`: admins only (agents watch runs; the server refuses their cancel). */
export function RunTimeline({ runId, canCancel }: { runId: string; canCancel: boolean }) {
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ["workflow-run", runId],
    queryFn: () => api<WorkflowRun>("GET", `/api/v1/workflow-runs/${runId}`),
    // A live run moves without a domain event per step: poll until it finishes.
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data.status) ? false : 1500),
  });
  const [confirming, setConfirming] = useState(false);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const dismiss = () => {
    setConfirming(false);
    cancelButton.current?.focus();
  };
  const cancel = useMutation({
    mutationFn: () => api<WorkflowRun>("POST", `/api/v1/workflow-runs/${runId}/cancel`),
    onSettled: () => {
      setConfirming(false);
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
            <dd>
              <Reason code={r.skip_reason} />
            </dd>
          </>
        )}
        {r.error && (
          <>
            <dt>Error</dt>
            <dd className="error">{r.error}</dd>
          </>
        )}
      </dl>
      {canCancel && isActive(r.status) && (
        <button
          type="button"
          className="danger"
          ref={cancelButton}
          disabled={cancel.isPending}
          aria-haspopup="dialog"
          onClick={() => setConfirming(true)}
        >
          Cancel run
        </button>
      )}
      {confirming && isActive(r.status) && (
        <ConfirmCancel pending={cancel.isPending} onConfirm={() => cancel.mutate()} onDismiss={dismiss} />
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
            <div className="muted small" data-testid="step-times">
              {stepTimes(s)}
            </div>
            {s.skip_reason && (
              <div className="small" data-testid="step-reason">
                Reason: <Reason code={s.skip_reason} />
              </div>
            )}
            {s.error && <div className="small error">{s.error}</div>}
            {stepNotes(s).map((n) =>
              n.tone === "warn" ? (
                <div
                  key={n.text}
                  className="small notice"
                  style={{ wordBreak: "normal" }}
                  role="note"
                  data-testid="step-warning"
                >
                  ⚠ {n.text}
                </div>
              ) : (
                <div key={n.text} className="small muted" data-testid="step-note">
                  {n.text}
                </div>
              ),
            )}
          </li>
        ))}
        {r.steps?.length === 0 && <li className="muted">No steps yet.</li>}
      </ol>
    </div>
  );
}
