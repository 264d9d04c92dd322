import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, qs } from "../api/api.ts";
import type { Contact, ManualRunInput, Page, WorkflowBatch } from "../api/apiTypes.ts";

/**
 * Starts a manual batch — picked contacts, typed phone numbers, or an audience by tags — and follows its
 * progress until every run has finished.
 */
export function StartBatch({ workflowId }: { workflowId: string }) {
  const client = useQueryClient();
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<Map<string, Contact>>(new Map());
  const [phones, setPhones] = useState("");
  const [tags, setTags] = useState("");
  const [batchId, setBatchId] = useState<string | null>(null);
  const found = useQuery({
    queryKey: ["contacts-search", q],
    queryFn: () => api<Page<Contact>>("GET", `/api/v1/contacts${qs({ q, limit: 8 })}`),
    enabled: q.trim().length > 1,
  });
  const start = useMutation({
    mutationFn: (body: ManualRunInput) =>
      api<{ batch_id: string; total: number }>("POST", `/api/v1/workflows/${workflowId}/runs`, body),
    onSuccess: (b) => {
      setBatchId(b.batch_id);
      void client.invalidateQueries({ queryKey: ["workflow-runs", workflowId] });
    },
  });
  const batch = useQuery({
    queryKey: ["workflow-batch", batchId],
    queryFn: () => api<WorkflowBatch>("GET", `/api/v1/workflow-batches/${batchId}`),
    enabled: batchId !== null,
    refetchInterval: (x) => (x.state.data?.pending === 0 ? false : 1000),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = (s: string) =>
      s
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean);
    const body: ManualRunInput = {};
    if (picked.size) body.contact_ids = [...picked.keys()];
    if (list(phones).length) body.phones = list(phones);
    if (list(tags).length) body.audience = { tags: list(tags) };
    start.mutate(body);
  };
  const b = batch.data;
  const pct = (n: number) => (b?.total ? `${(n / b.total) * 100}%` : "0%");

  return (
    <form className="card batch" onSubmit={submit} data-testid="start-batch">
      <h3>Start run</h3>
      <label className="field">
        <span>Find contacts</span>
        <input value={q} placeholder="name or phone" onChange={(e) => setQ(e.target.value)} />
      </label>
      {found.data?.data.map((c) => (
        <label key={c.id} className="field check">
          <input
            type="checkbox"
            checked={picked.has(c.id)}
            onChange={(e) => {
              const next = new Map(picked);
              if (e.target.checked) next.set(c.id, c);
              else next.delete(c.id);
              setPicked(next);
            }}
          />
          <span>
            {c.name ?? c.phone} <span className="muted">{c.phone}</span>
          </span>
        </label>
      ))}
      {picked.size > 0 && (
        <p className="small">Picked: {[...picked.values()].map((c) => c.name ?? c.phone).join(", ")}</p>
      )}
      <label className="field">
        <span>Or phone numbers</span>
        <textarea
          rows={2}
          value={phones}
          placeholder="+14155550123, +14155550124"
          onChange={(e) => setPhones(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Or an audience: contacts tagged</span>
        <input value={tags} placeholder="vip, newsletter" onChange={(e) => setTags(e.target.value)} />
      </label>
      <p className="muted small">Nothing picked: the workflow's own audience.</p>
      <button type="submit" className="primary" disabled={start.isPending}>
        Start run
      </button>
      {start.error && <p className="error">{start.error.message}</p>}
      {b && (
        <div className="batch-progress" data-testid="batch-progress">
          <div
            className="bar"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={b.total}
            aria-valuenow={b.total - b.pending}
          >
            <span className="done" style={{ width: pct(b.done) }} />
            <span className="skipped" style={{ width: pct(b.skipped + b.cancelled) }} />
            <span className="failed" style={{ width: pct(b.failed) }} />
          </div>
          <p className="small">
            {b.total - b.pending} of {b.total} finished · {b.done} done · {b.failed} failed · {b.skipped}{" "}
            skipped
            {b.cancelled ? ` · ${b.cancelled} cancelled` : ""}
          </p>
        </div>
      )}
    </form>
  );
}
