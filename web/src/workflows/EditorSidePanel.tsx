import { useState } from "react";
import type { DraftStep, WorkflowDraft } from "../api/apiTypes.ts";
import type { EditorRefs } from "./editorRefs.ts";
import { type FieldDraft, FieldDraftsContext, stepScope } from "./fieldDrafts.ts";
import { CheckField, NumberField, TextField } from "./formFields.tsx";
import { StepForm } from "./StepForm.tsx";
import { STEP_CATALOG, STEP_TYPES } from "./stepCatalog.ts";
import { TriggerForm } from "./TriggerForm.tsx";
import type { Selection } from "./WorkflowCanvas.tsx";
import { type NodeErrors, replaceStep } from "./workflowGraph.ts";

interface Props {
  def: WorkflowDraft;
  selected: Selection | null;
  errors: NodeErrors;
  refs: EditorRefs;
  /** Unparsed JSON field text, kept by the editor (see fieldDrafts.ts). */
  fieldDrafts: ReadonlyMap<string, FieldDraft>;
  onFieldDraft: (key: string, d: FieldDraft | null) => void;
  hookUrl: string | null;
  readOnly: boolean;
  onChange: (d: WorkflowDraft) => void;
  onSelect: (s: Selection | null) => void;
  onAdd: (type: DraftStep["type"]) => void;
}

/** Beside the canvas: the selected node's settings, step actions, and the workflow-wide options. */
export function EditorSidePanel({
  def,
  selected,
  errors,
  refs,
  fieldDrafts,
  onFieldDraft,
  hookUrl,
  readOnly,
  onChange,
  onSelect,
  onAdd,
}: Props) {
  const [newType, setNewType] = useState<DraftStep["type"]>("send_message");
  const step = typeof selected === "number" ? def.steps[selected] : undefined;
  const setSteps = (steps: DraftStep[]) => onChange({ ...def, steps });
  const move = (i: number, by: -1 | 1) => {
    const steps = [...def.steps];
    const [s] = steps.splice(i, 1);
    if (!s) return;
    steps.splice(i + by, 0, s);
    setSteps(steps);
    onSelect(i + by);
  };

  return (
    <aside className="wf-side">
      {!readOnly && (
        <div className="wf-add">
          <select
            aria-label="New step type"
            value={newType}
            onChange={(e) => setNewType(e.target.value as DraftStep["type"])}
          >
            {STEP_TYPES.map((t) => (
              <option key={t} value={t}>
                {STEP_CATALOG[t].label}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => onAdd(newType)}>
            Add step
          </button>
        </div>
      )}
      {/* A disabled fieldset makes every control read-only for agents without touching each form. */}
      <fieldset className="wf-forms" disabled={readOnly}>
        {selected === "trigger" && (
          <FieldDraftsContext.Provider
            value={{ scope: "trigger", where: "the trigger", drafts: fieldDrafts, set: onFieldDraft }}
          >
            <TriggerForm
              trigger={def.trigger}
              refs={refs}
              errors={errors.trigger}
              hookUrl={hookUrl}
              onChange={(trigger) => onChange({ ...def, trigger })}
            />
          </FieldDraftsContext.Provider>
        )}
        {step && typeof selected === "number" && (
          <>
            <FieldDraftsContext.Provider
              value={{
                scope: stepScope(step.id),
                where: `step "${step.id}"`,
                drafts: fieldDrafts,
                set: onFieldDraft,
              }}
            >
              {/* Keyed by position: another step gets fresh fields, a renamed one keeps them (and the focus). */}
              <StepForm
                key={selected}
                step={step}
                stepIds={def.steps.map((s) => s.id)}
                refs={refs}
                errors={errors.steps.get(step.id) ?? []}
                onChange={(s) => setSteps(replaceStep(def.steps, selected, s))}
              />
            </FieldDraftsContext.Provider>
            {!readOnly && (
              <div className="wf-step-actions">
                <button type="button" disabled={selected === 0} onClick={() => move(selected, -1)}>
                  ↑ Move up
                </button>
                <button
                  type="button"
                  disabled={selected === def.steps.length - 1}
                  onClick={() => move(selected, 1)}
                >
                  ↓ Move down
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={def.steps.length === 1}
                  onClick={() => {
                    setSteps(def.steps.filter((_, i) => i !== selected));
                    onSelect(null);
                  }}
                >
                  Delete step
                </button>
              </div>
            )}
          </>
        )}
        {!step && selected !== "trigger" && (
          <p className="muted">Select the trigger or a step on the canvas to edit it.</p>
        )}
        <details className="wf-options">
          <summary>Workflow options</summary>
          <TextField
            label="Description"
            multiline
            value={def.description}
            onChange={(description) => onChange({ ...def, description })}
          />
          <CheckField
            label="Once per contact"
            value={def.once_per_contact}
            onChange={(once_per_contact) => onChange({ ...def, once_per_contact })}
          />
          <NumberField
            label="Frequency cap (opens per contact per 24 h; empty = workspace default)"
            value={def.frequency_cap}
            onChange={(frequency_cap) => onChange({ ...def, frequency_cap })}
          />
        </details>
      </fieldset>
    </aside>
  );
}
