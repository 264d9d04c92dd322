import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, api } from "../api/api.ts";
import type { DraftStep, Me, Workflow, WorkflowDraft } from "../api/apiTypes.ts";
import { navigate } from "../api/useRoute.ts";
import { EditorSidePanel } from "./EditorSidePanel.tsx";
import { useEditorRefs } from "./editorRefs.ts";
import { type FieldDraft, stepScope } from "./fieldDrafts.ts";
import { newDraft, STEP_CATALOG, STEP_ID_BASE } from "./stepCatalog.ts";
import type { Selection } from "./WorkflowCanvas.tsx";
import { WorkflowHeader } from "./WorkflowHeader.tsx";
import {
  errorsByNode,
  errorsByStepId,
  freshStepId,
  type NodeErrors,
  removeLink,
  setLink,
  syncLayout,
} from "./workflowGraph.ts";
import { YamlView } from "./YamlView.tsx";

// React Flow is most of this page's weight: it loads with the canvas, not with the app.
const WorkflowCanvas = lazy(() => import("./WorkflowCanvas.tsx"));

const NO_ERRORS: NodeErrors = { trigger: [], steps: new Map(), general: [] };
const LEAVE = "This workflow has unsaved changes. Leave the editor and lose them?";

/** Whether `path` is still this editor (a new workflow's first save moves /workflows/new to /workflows/:id). */
function isThisEditor(path: string, workflowId: string | null): boolean {
  const [, section, id, sub] = path.split("/");
  if (section !== "workflows" || !id || sub !== undefined) return false;
  return workflowId === null || decodeURIComponent(id) === workflowId;
}

/**
 * Asks before leaving the editor with unsaved changes: a reload or closed tab (beforeunload), an in-app link
 * (caught before the app's router sees the click), and Back / Forward or any other navigate() (popstate, where
 * the editor's URL is put back if the user stays).
 */
function useLeaveGuard(dirty: boolean, workflowId: string | null) {
  const state = useRef({ dirty, workflowId, here: window.location.pathname + window.location.search });
  state.current.dirty = dirty;
  state.current.workflowId = workflowId;
  useEffect(() => {
    const s = state.current;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!s.dirty) return;
      e.preventDefault();
      e.returnValue = "";
    };
    let confirmed = false;
    const onClick = (e: MouseEvent) => {
      if (!s.dirty || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      const a = (e.target as Element | null)?.closest?.("a[href]");
      if (!(a instanceof HTMLAnchorElement) || a.target === "_blank" || a.origin !== window.location.origin)
        return;
      if (isThisEditor(a.pathname, s.workflowId)) return;
      if (window.confirm(LEAVE)) confirmed = true;
      else {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    const onPopState = () => {
      const path = window.location.pathname;
      if (isThisEditor(path, s.workflowId)) {
        s.here = path + window.location.search;
        return;
      }
      const ok = confirmed || !s.dirty || window.confirm(LEAVE);
      confirmed = false;
      if (ok) return;
      // Stay: the app reads the URL when it next renders, so putting it back before then keeps the editor.
      window.history.pushState(null, "", s.here);
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    window.addEventListener("click", onClick, true);
    window.addEventListener("popstate", onPopState, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      window.removeEventListener("click", onClick, true);
      window.removeEventListener("popstate", onPopState, true);
    };
  }, []);
}

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
  // JSON fields whose text doesn't parse (see fieldDrafts.ts), by field key; `forms` remounts the forms on discard.
  const [fieldDrafts, setFieldDrafts] = useState<ReadonlyMap<string, FieldDraft>>(new Map());
  const [forms, setForms] = useState(0);
  const setFieldDraft = useCallback((key: string, d: FieldDraft | null) => {
    setFieldDrafts((cur) => {
      const had = cur.get(key);
      if (d === null ? !had : had && had.text === d.text && had.error === d.error && had.where === d.where)
        return cur;
      const next = new Map(cur);
      if (d === null) next.delete(key);
      else next.set(key, d);
      return next;
    });
  }, []);

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
    onError: (err, def) => {
      // Error paths name steps by position in what was sent: keyed by id now, so they stay on their step.
      if (err instanceof ApiError && err.errors.length)
        setErrors(errorsByStepId(errorsByNode(err.errors), def.steps));
      else setErrors({ ...NO_ERRORS, general: [err.message] });
    },
  });

  // Unparsed JSON of a step that was since deleted no longer matters.
  const unparsed = useMemo(
    () =>
      [...fieldDrafts.values()].filter(
        (d) => d.scope === "trigger" || draft?.steps.some((s) => stepScope(s.id) === d.scope),
      ),
    [fieldDrafts, draft],
  );
  // Compared as JSON: after a save the draft is the server's copy, defaults filled in, so they match again.
  // Memoised: selecting a node, errors, typing in a field that does not parse and refetches render the editor again
  // without changing either definition.
  const changed = useMemo(
    () => !wf.data || JSON.stringify(draft) !== JSON.stringify(wf.data.definition),
    [draft, wf.data],
  );
  const dirty = !readOnly && draft !== null && (unparsed.length > 0 || changed);
  useLeaveGuard(dirty, workflowId);

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
    // A step renamed in place keeps its errors (they are keyed by id).
    if (errors.steps.size && d.steps.length === draft.steps.length) {
      const moved = new Map(errors.steps);
      draft.steps.forEach((s, i) => {
        const now = d.steps[i]?.id;
        const list = moved.get(s.id);
        if (now && now !== s.id && list && !draft.steps.some((x) => x.id === now)) {
          moved.delete(s.id);
          moved.set(now, list);
        }
      });
      setErrors({ ...errors, steps: moved });
    }
  };
  const place = (key: string, at: { x: number; y: number }) =>
    change({ ...draft, layout: { ...draft.layout, [key]: { x: Math.round(at.x), y: Math.round(at.y) } } });
  const add = (type: DraftStep["type"]) => {
    // Insert after the selected step, so a step lands where the user is looking.
    const at = typeof selected === "number" ? selected + 1 : draft.steps.length;
    // A branch or jump points at the step it lands before (or nowhere yet, at the end).
    const step = STEP_CATALOG[type].make(freshStepId(draft, STEP_ID_BASE[type]), draft.steps[at]?.id);
    const steps = [...draft.steps];
    steps.splice(at, 0, step);
    change({ ...draft, steps });
    setSelected(at);
  };
  const link = (from: number, field: string, to: string) => {
    change({ ...draft, steps: draft.steps.map((s, i) => (i === from ? setLink(s, field, to) : s)) });
  };
  const unlink = (links: { from: number; field: string }[]) => {
    const steps = draft.steps.map((s, i) =>
      links.filter((l) => l.from === i).reduce((step, l) => removeLink(step, l.field), s),
    );
    change({ ...draft, steps });
  };
  const submit = () => {
    if (!unparsed.length) {
      save.mutate(draft);
      return;
    }
    // Not sent: what the server has would not be what the form shows.
    const steps = new Map<string, string[]>();
    const trigger: string[] = [];
    for (const d of unparsed) {
      const msg = `${d.label}: not valid JSON (${d.error})`;
      if (d.scope === "trigger") trigger.push(msg);
      else {
        const id = d.scope.slice(stepScope("").length);
        steps.set(id, [...(steps.get(id) ?? []), msg]);
      }
    }
    const general = unparsed.map((d) => `"${d.label}" of ${d.where} isn't valid JSON`);
    setSaved(false);
    setErrors({ trigger, steps, general });
  };
  const discardUnparsed = () => {
    setFieldDrafts(new Map());
    setForms((n) => n + 1);
    setErrors(NO_ERRORS);
  };
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
          <button type="button" className="primary" disabled={save.isPending} onClick={submit}>
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
          {unparsed.length > 0 && (
            <>
              {" "}
              Fix it, or{" "}
              <button type="button" className="small" onClick={discardUnparsed}>
                Discard the unparsed text
              </button>
            </>
          )}
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
              onUnlink={unlink}
              onPlace={place}
            />
          </Suspense>
        ) : (
          <YamlView def={draft} readOnly={readOnly} onChange={change} />
        )}
        <EditorSidePanel
          key={forms}
          def={draft}
          selected={selected}
          errors={errors}
          refs={refs}
          fieldDrafts={fieldDrafts}
          onFieldDraft={setFieldDraft}
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
