import type { DraftStep } from "../api/apiTypes.ts";
import { JsonField, TextField } from "./formFields.tsx";

type Template = { name: string; language: string; body?: string[] };
type Patch = (patch: Record<string, unknown>) => void;

/** A template reference: name, language and one Liquid parameter per line ({{1}}, {{2}} …). */
export function TemplateFields(props: {
  value: Template | undefined;
  onChange: (t: Template | undefined) => void;
}) {
  const t = props.value;
  const set = (patch: Partial<Template>) => {
    const next = { name: "", language: "en", ...t, ...patch };
    props.onChange(next.name ? next : undefined);
  };
  return (
    <fieldset className="subform">
      <legend>Template (outside the 24-hour window)</legend>
      <TextField label="Template name" value={t?.name} onChange={(name) => set({ name: name ?? "" })} />
      <TextField
        label="Language"
        value={t?.language}
        onChange={(language) => set({ language: language ?? "en" })}
      />
      <TextField
        label="Parameters (one per line)"
        multiline
        value={t?.body?.join("\n")}
        onChange={(v) => set({ body: v ? v.split("\n") : undefined })}
      />
    </fieldset>
  );
}

/** The message parts of open_conversation, send_message and ask_question. */
export function MessageFields({ step, set }: { step: DraftStep; set: Patch }) {
  if (step.type === "open_conversation") {
    const m = step.message ?? {};
    const setMessage = (patch: Record<string, unknown>) => {
      const next = { ...m, ...patch };
      set({ message: next.text === undefined && next.template === undefined ? undefined : next });
    };
    return (
      <>
        <TextField
          label="Message text (inside the window)"
          multiline
          value={m.text}
          onChange={(text) => setMessage({ text })}
        />
        <TemplateFields value={m.template} onChange={(template) => setMessage({ template })} />
      </>
    );
  }
  if (step.type === "send_message" || step.type === "ask_question") {
    return (
      <>
        <TextField label="Text" multiline value={step.text} onChange={(text) => set({ text })} />
        <JsonField
          label='Reply buttons ([{"id", "title"}])'
          value={step.buttons}
          onChange={(buttons) => set({ buttons })}
        />
        {step.type === "send_message" && (
          <>
            <JsonField
              label="List ({button, sections})"
              value={step.list}
              onChange={(list) => set({ list })}
            />
            <JsonField
              label="Image ({link, caption})"
              value={step.image}
              onChange={(image) => set({ image })}
            />
            <JsonField
              label="Document ({link, caption, filename})"
              value={step.document}
              onChange={(document) => set({ document })}
            />
          </>
        )}
        <TemplateFields value={step.template} onChange={(template) => set({ template })} />
      </>
    );
  }
  return null;
}
