import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { ApiError, api } from "../api/api.ts";
import type { DraftStep, Me, Workflow, WorkflowDraft } from "../api/apiTypes.ts";
import { navigate } from "../api/useRoute.ts";
import { EditorSidePanel } from "./EditorSidePanel.tsx";
import { useEditorRefs } from "./editorRefs.ts";
import { newDraft, STEP_CATALOG, STEP_ID_BASE } from "./stepCatalog.ts";
import type { Selection } from "./WorkflowCanvas.tsx";
import { WorkflowHeader } from "./WorkflowHeader.tsx";
import { errorsByNode, freshStepId, type NodeErrors, setLink, syncLayout } from "./workflowGraph.ts";
import { YamlView } from "./YamlView.tsx";

// React Flow is most of this page's weight: it loads with the canvas, not with the app.
const WorkflowCanvas = lazy(() => import("./WorkflowCanvas.tsx"));

const NO_ERRORS: NodeErrors = { trigger: [], steps: new Map(), general: [] };

/**
 * Create or edit a workflow: the canvas (or its YAML) edits a local draft; Save sends the whole definition and
 * a 422 comes back as errors on the nodes they name. Agents see the same page read-only.
 */
export default function WorkflowEditor({ me, workflowId }: { me: Me; workflowId: string | null }) {
  const client = useQueryClient();
  const readOnly = me.role === "agent";
  const refs = useEditorRefs();
  const wf = useQuery({
    queryKey: ["workflow", workflowId],
    queryFn: () => api<Workflow>("GET", `/api/v1/workflows/${workflowId}`),
    enabled: workflowId !== null,
  });
  const [draft, setDraft] = useState<WorkflowDraft | null>(workflowId ? null : newDraft());
  const [view, setView] = useState<"canvas" | "yaml">("canvas");
  const [selected, setSelected] = useState<Selection | null>("trigger");
  const [errors, setErrors] = useState<NodeErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);

  // Take the server's copy when it first arrives (or after a save bumps the version), not on every refetch.
  const loadedVersion = wf.data ? `${wf.data.id}:${wf.data.version}` : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the version on purpose (see above)
  useEffect(() => {
    if (wf.data) setDraft(wf.data.definition);
  }, [loadedVersion]);

  const save = useMutation({
    mutationFn: (def: WorkflowDraft) =>
      workflowId
        ? api<Workflow>("PUT", `/api/v1/workflows/${workflowId}`, def)
        : api<Workflow>("POST", "/api/v1/workflows", def),
    onMutate: () => {
      setSaved(false);
      setErrors(NO_ERRORS);
    },
    onSuccess: (w) => {
      client.setQueryData(["workflow", w.id], w);
      void client.invalidateQueries({ queryKey: ["workflows"] });
      setSaved(true);
      if (!workflowId) navigate(`/workflows/${w.id}`, { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.errors.length) setErrors(errorsByNode(err.errors));
      else setErrors({ ...NO_ERRORS, general: [err.message] });
    },
  });

  if (workflowId && wf.error)
    return (
      <div className="placeholder" data-testid="error">
        <h2>Can't load the workflow</h2>
        <p>{wf.error.message}</p>
      </div>
    );
  if (!draft) return <div className="splash">Loading…</div>;

  const change = (d: WorkflowDraft) => {
    setDraft(syncLayout(draft, d));
    setSaved(false);
  };
  const place = (key: string, at: { x: number; y: number }) =>
    change({ ...draft, layout: { ...draft.layout, [key]: { x: Math.round(at.x), y: Math.round(at.y) } } });
  const add = (type: DraftStep["type"]) => {
    const step = STEP_CATALOG[type].make(freshStepId(draft, STEP_ID_BASE[type]));
    // Insert after the selected step, so a step lands where the user is looking.
    const at = typeof selected === "number" ? selected + 1 : draft.steps.length;
    const steps = [...draft.steps];
    steps.splice(at, 0, step);
    change({ ...draft, steps });
    setSelected(at);
  };
  const link = (from: number, field: string, to: string | undefined) => {
    change({ ...draft, steps: draft.steps.map((s, i) => (i === from ? setLink(s, field, to) : s)) });
  };
  // Compared as JSON: after a save the draft is the server's copy, defaults filled in, so they match again.
  const dirty = !wf.data || JSON.stringify(draft) !== JSON.stringify(wf.data.definition);
  const failed = errors.general.length + errors.trigger.length + errors.steps.size;

  return (
    <div className="wf-editor">
      <WorkflowHeader
        workflowId={workflowId}
        tab="editor"
        title={
          <input
            aria-label="Workflow name"
            className="wf-name"
            value={draft.name}
            readOnly={readOnly}
            onChange={(e) => change({ ...draft, name: e.target.value })}
          />
        }
      >
        {wf.data && (
          <span className="muted">
            v{wf.data.version} · {wf.data.enabled ? "enabled" : "disabled"}
          </span>
        )}
        <div className="segmented" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={view === "canvas"}
            onClick={() => setView("canvas")}
          >
            Canvas
          </button>
          <button type="button" role="tab" aria-selected={view === "yaml"} onClick={() => setView("yaml")}>
            YAML
          </button>
        </div>
        {!readOnly && dirty && (
          <span className="muted" data-testid="unsaved">
            Unsaved changes
          </span>
        )}
        {!readOnly && (
          <button
            type="button"
            className="primary"
            disabled={save.isPending}
            onClick={() => save.mutate(draft)}
          >
            {save.isPending ? "Saving…" : "Save"}
          </button>
        )}
      </WorkflowHeader>
      {readOnly && <p className="wf-banner muted">Read-only: only admins change workflows.</p>}
      {saved && (
        <p className="wf-banner ok" role="status">
          Saved as version {wf.data?.version ?? 1}.
        </p>
      )}
      {failed > 0 && (
        <div className="wf-banner error" role="alert" data-testid="save-errors">
          Not saved: {failed === errors.general.length ? "" : "see the steps marked in red. "}
          {errors.general.join("; ")}
        </div>
      )}
      <div className="wf-body">
        {view === "canvas" ? (
          <Suspense fallback={<div className="splash">Loading canvas…</div>}>
            <WorkflowCanvas
              def={draft}
              errors={errors}
              selected={selected}
              readOnly={readOnly}
              onSelect={setSelected}
              onLink={link}
              onPlace={place}
            />
          </Suspense>
        ) : (
          <YamlView def={draft} readOnly={readOnly} onChange={change} />
        )}
        <EditorSidePanel
          def={draft}
          selected={selected}
          errors={errors}
          refs={refs}
          hookUrl={wf.data?.hook_url ?? null}
          readOnly={readOnly}
          onChange={change}
          onSelect={setSelected}
          onAdd={add}
        />
      </div>
    </div>
  );
}
