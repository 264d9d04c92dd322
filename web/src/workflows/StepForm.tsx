import type { DraftStep } from "../api/apiTypes.ts";
import type { EditorRefs } from "./editorRefs.ts";
import { forgetDrafts, useFieldDrafts } from "./fieldDrafts.ts";
import { JsonField, ListField, NumberField, SelectField, TextField } from "./formFields.tsx";
import { MessageFields } from "./MessageFields.tsx";
import { stepLabel } from "./stepCatalog.ts";

/** Drops keys set to undefined, so the YAML view and the saved JSON show only what the user gave. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

interface Props {
  step: DraftStep;
  stepIds: string[];
  refs: EditorRefs;
  errors: string[];
  onChange: (step: DraftStep) => void;
}

/** The settings of one step: id, name and `next` for all, then the fields of its type. */
export function StepForm({ step, stepIds, refs, errors, onChange }: Props) {
  const set = (patch: Record<string, unknown>) => onChange(compact({ ...step, ...patch }) as DraftStep);
  const others = stepIds.filter((id) => id !== step.id);
  // New branches go to the step after this one (never to this one: a loop the server refuses), else nowhere yet.
  const following = stepIds[stepIds.indexOf(step.id) + 1] ?? "";
  const target = (label: string, field: string, value: string | undefined, empty?: string) => (
    <SelectField
      label={label}
      value={value}
      options={others}
      empty={empty}
      onChange={(v) => set({ [field]: v })}
    />
  );
  const fieldDrafts = useFieldDrafts();
  const categories = refs.categories.filter((c) => !c.archived).map((c) => ({ value: c.key, label: c.name }));

  return (
    <div className="step-form" data-testid="step-form">
      <h3>{stepLabel(step.type)}</h3>
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <TextField label="Step id" value={step.id} onChange={(id) => set({ id: id ?? "" })} />
      {/* update_contact's own `name` is the contact's new name, so it has no label field. */}
      {step.type !== "update_contact" && (
        <TextField label="Label" value={step.name} onChange={(name) => set({ name })} />
      )}
      {step.type !== "jump_to" && target("Then go to", "next", step.next, "the following step")}
      <MessageFields step={step} set={set} />
      {step.type === "open_conversation" && (
        <>
          <SelectField
            label="Channel"
            value={step.channel}
            empty="the first channel"
            options={refs.channels.map((c) => ({ value: c.id, label: c.name }))}
            onChange={(channel) => set({ channel })}
          />
          <AssigneeField value={step.assign} refs={refs} onChange={(assign) => set({ assign })} />
        </>
      )}
      {step.type === "ask_question" && (
        <>
          <TextField label="Save answer as" value={step.save_as} onChange={(save_as) => set({ save_as })} />
          <TextField
            label="Also store in contact field"
            value={step.save_to_field}
            onChange={(save_to_field) => set({ save_to_field })}
          />
          <TextField
            label="Timeout (ISO-8601, e.g. PT24H)"
            value={step.timeout}
            onChange={(timeout) => set({ timeout })}
          />
          {target("On timeout go to", "on_timeout", step.on_timeout, "the next step")}
        </>
      )}
      {step.type === "wait" && (
        <>
          <TextField
            label="Duration (e.g. PT2H, P1D)"
            value={step.duration}
            onChange={(duration) => set({ duration })}
          />
          <TextField label="Or until (Liquid time)" value={step.until} onChange={(until) => set({ until })} />
        </>
      )}
      {step.type === "branch" && (
        <>
          {step.branches.map((b, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: branches have no id; their position is their identity
            <fieldset className="subform" key={`${i}-${b.next}`}>
              <legend>Branch {i + 1}</legend>
              <JsonField
                label="When ({var, op, value} or all / any / not)"
                name={`branches[${i}].when`}
                value={b.when}
                onChange={(when) =>
                  set({ branches: step.branches.map((x, n) => (n === i ? { ...x, when: when ?? {} } : x)) })
                }
              />
              <RequiredTarget
                label="Go to"
                value={b.next}
                options={others}
                onChange={(next) =>
                  set({ branches: step.branches.map((x, n) => (n === i ? { ...x, next } : x)) })
                }
              />
              {step.branches.length > 1 && (
                <button
                  type="button"
                  onClick={() => {
                    // Conditions are kept by branch number: from this one on they shift, so unparsed text goes.
                    forgetDrafts(fieldDrafts, (f) => Number(/^branches\[(\d+)\]/.exec(f)?.[1] ?? -1) >= i);
                    set({ branches: step.branches.filter((_, n) => n !== i) });
                  }}
                >
                  Remove branch
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            onClick={() =>
              set({
                branches: [
                  ...step.branches,
                  { when: { var: "answer.id", op: "eq", value: "" }, next: following },
                ],
              })
            }
          >
            Add branch
          </button>
          {target("Else go to", "else", step.else, "the next step")}
        </>
      )}
      {step.type === "assign" && (
        <AssigneeField value={step.to} refs={refs} onChange={(to) => set({ to: to ?? { type: "none" } })} />
      )}
      {step.type === "update_contact" && (
        <>
          <TextField label="Contact name" value={step.name} onChange={(name) => set({ name })} />
          <JsonField
            label="Fields ({key: value}, null removes)"
            value={step.fields}
            onChange={(fields) => set({ fields })}
          />
          <ListField label="Add tags" value={step.add_tags} onChange={(add_tags) => set({ add_tags })} />
          <ListField
            label="Remove tags"
            value={step.remove_tags}
            onChange={(remove_tags) => set({ remove_tags })}
          />
        </>
      )}
      {step.type === "add_comment" && (
        <TextField label="Note" multiline value={step.text} onChange={(text) => set({ text: text ?? "" })} />
      )}
      {step.type === "http_request" && (
        <>
          <SelectField
            label="Method"
            value={step.method}
            options={["GET", "POST", "PUT", "PATCH", "DELETE"] as const}
            onChange={(method) => set({ method })}
          />
          <TextField label="URL" value={step.url} onChange={(url) => set({ url: url ?? "" })} />
          <JsonField label="Headers" value={step.headers} onChange={(headers) => set({ headers })} />
          <JsonField label="Body (JSON)" value={step.body} onChange={(body) => set({ body })} />
          <NumberField
            label="Timeout (ms)"
            value={step.timeout_ms}
            onChange={(timeout_ms) => set({ timeout_ms })}
          />
          <TextField label="Save response as" value={step.save_as} onChange={(save_as) => set({ save_as })} />
          {target("On error go to", "on_error", step.on_error, "fail the run")}
        </>
      )}
      {step.type === "trigger_workflow" && (
        <>
          <SelectField
            label="Workflow"
            value={step.workflow || undefined}
            options={refs.workflows.map((w) => w.name)}
            empty="(choose)"
            onChange={(workflow) => set({ workflow: workflow ?? "" })}
          />
          <JsonField label="Data ({key: Liquid})" value={step.data} onChange={(data) => set({ data })} />
        </>
      )}
      {step.type === "jump_to" && (
        <RequiredTarget
          label="Jump to"
          value={step.target}
          options={others}
          onChange={(target) => set({ target })}
        />
      )}
      {step.type === "close_conversation" && (
        <>
          <SelectField
            label="Category"
            value={step.category}
            options={categories}
            empty="(none)"
            onChange={(category) => set({ category })}
          />
          <TextField
            label="Summary"
            multiline
            value={step.summary}
            onChange={(summary) => set({ summary })}
          />
        </>
      )}
    </div>
  );
}

/**
 * A link that must name a step (a branch's `next`, a jump's `target`). Empty until chosen — a new step at the
 * end, or a link deleted on the canvas — and then the form says so rather than showing a made-up target.
 */
function RequiredTarget(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (v: string) => void;
}) {
  return (
    <>
      <SelectField
        label={props.label}
        value={props.value || undefined}
        options={props.options}
        empty="(choose a step)"
        onChange={(v) => props.onChange(v ?? "")}
      />
      {!props.value && (
        <p className="field-hint error" data-testid="choose-target">
          Choose the step to go to: this can't be saved without one.
        </p>
      )}
    </>
  );
}

type Assignee = { type: "bot" } | { type: "agent"; agent_id: string } | { type: "none" };

function AssigneeField(props: {
  value: Assignee | undefined;
  refs: EditorRefs;
  onChange: (a: Assignee | undefined) => void;
}) {
  const value = props.value?.type === "agent" ? `agent:${props.value.agent_id}` : props.value?.type;
  const options = [
    { value: "bot", label: "The bot" },
    { value: "none", label: "Nobody" },
    ...props.refs.users.map((u) => ({ value: `agent:${u.id}`, label: u.name })),
  ];
  return (
    <SelectField
      label="Assign to"
      value={value}
      options={options}
      empty="(leave as is)"
      onChange={(v) =>
        props.onChange(
          v === undefined
            ? undefined
            : v.startsWith("agent:")
              ? { type: "agent", agent_id: v.slice(6) }
              : { type: v as "bot" | "none" },
        )
      }
    />
  );
}
