import { useEffect, useMemo, useRef, useState } from "react";
import { useFieldDrafts } from "./fieldDrafts.ts";

/** A labelled text input; clearing it gives undefined, so optional fields leave the definition instead of "". */
export function TextField(props: {
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  placeholder?: string;
  multiline?: boolean;
  /** `password` for secrets: masked, and never filled in by the browser's password manager. */
  type?: "text" | "password";
}) {
  const change = (v: string) => props.onChange(v === "" ? undefined : v);
  if (props.multiline)
    return (
      <label className="field">
        <span>{props.label}</span>
        <textarea
          rows={3}
          value={props.value ?? ""}
          placeholder={props.placeholder}
          onChange={(e) => change(e.target.value)}
        />
      </label>
    );
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type={props.type ?? "text"}
        autoComplete={props.type === "password" ? "new-password" : undefined}
        value={props.value ?? ""}
        placeholder={props.placeholder}
        onChange={(e) => change(e.target.value)}
      />
    </label>
  );
}

export function NumberField(props: {
  label: string;
  value: number | undefined | null;
  onChange: (v: number | undefined) => void;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="number"
        value={props.value ?? ""}
        onChange={(e) => props.onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    </label>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T | undefined;
  options: readonly (T | { value: T; label: string })[];
  onChange: (v: T | undefined) => void;
  /** Offer an empty choice ("default") that removes the field. */
  empty?: string;
}) {
  const opts = props.options.map((o) => (typeof o === "string" ? { value: o, label: o } : o));
  // A value the options don't know (a step id that was renamed, say) still shows rather than vanishing.
  if (props.value !== undefined && !opts.some((o) => o.value === props.value))
    opts.push({ value: props.value, label: `${props.value} (unknown)` });
  return (
    <label className="field">
      <span>{props.label}</span>
      <select
        value={props.value ?? ""}
        onChange={(e) => props.onChange(e.target.value === "" ? undefined : (e.target.value as T))}
      >
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {opts.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CheckField(props: {
  label: string;
  value: boolean | undefined;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="field check">
      <input
        type="checkbox"
        checked={props.value ?? false}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}

/** Comma-separated strings (tags, categories, fields); empty gives undefined. */
export function ListField(props: {
  label: string;
  value: string[] | undefined;
  onChange: (v: string[] | undefined) => void;
}) {
  return (
    <TextField
      label={props.label}
      value={props.value?.join(", ")}
      placeholder="comma, separated"
      onChange={(v) => {
        const list = (v ?? "")
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
        props.onChange(list.length ? list : undefined);
      }}
    />
  );
}

/** The value `text` stands for (empty text is "no value"), or why it isn't JSON. */
function parseJson(text: string): { error: null; value: unknown } | { error: string } {
  try {
    return { error: null, value: text.trim() ? JSON.parse(text) : undefined };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * Free-form JSON for the nested parts (conditions, headers, bodies, lists) that a fixed form would only cramp.
 * The text stays local while it doesn't parse, so typing through invalid states doesn't lose keystrokes; the
 * editor hears of it (see fieldDrafts.ts), so unparsed text counts as an unsaved change that Save refuses.
 * `name` tells apart fields that share a label (each branch's condition).
 */
export function JsonField(props: {
  label: string;
  value: unknown;
  onChange: (v: unknown) => void;
  name?: string;
}) {
  const { scope, where, drafts, set } = useFieldDrafts();
  const key = `${scope}/${props.name ?? props.label}`;
  const shown = useMemo(
    () => (props.value === undefined ? "" : JSON.stringify(props.value, null, 2)),
    [props.value],
  );
  const [text, setText] = useState(() => drafts.get(key)?.text ?? shown);
  const { error } = useMemo(() => parseJson(text), [text]);

  // The value changed from outside (the YAML view, a rename): show it, unless the local text already means it.
  const seen = useRef(shown);
  useEffect(() => {
    if (seen.current === shown) return;
    seen.current = shown;
    setText((t) => {
      const local = parseJson(t);
      return local.error === null && JSON.stringify(local.value) === JSON.stringify(props.value) ? t : shown;
    });
  }, [shown, props.value]);

  // Unparsed text is reported under this field's key (moved along when the step is renamed); it stays reported
  // when the form closes, so the text is still there when the step is selected again.
  const reported = useRef(key);
  const { label } = props;
  useEffect(() => {
    if (reported.current !== key) set(reported.current, null);
    reported.current = key;
    set(key, error === null ? null : { scope, where, label, text, error });
  }, [set, key, scope, where, label, text, error]);

  return (
    <label className="field">
      <span>{props.label}</span>
      <textarea
        rows={4}
        className="mono"
        value={text}
        aria-invalid={error !== null}
        onChange={(e) => {
          setText(e.target.value);
          const typed = parseJson(e.target.value);
          if (typed.error === null) props.onChange(typed.value);
        }}
      />
      {error && <small className="error">Not saved until it parses: {error}</small>}
    </label>
  );
}
