import { useEffect, useState } from "react";

/** A labelled text input; clearing it gives undefined, so optional fields leave the definition instead of "". */
export function TextField(props: {
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  placeholder?: string;
  multiline?: boolean;
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

/**
 * Free-form JSON for the nested parts (conditions, headers, bodies, lists) that a fixed form would only cramp.
 * The text stays local while it doesn't parse, so typing through invalid states doesn't lose keystrokes.
 */
export function JsonField(props: { label: string; value: unknown; onChange: (v: unknown) => void }) {
  const shown = props.value === undefined ? "" : JSON.stringify(props.value, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => {
      try {
        if (JSON.stringify(t.trim() ? JSON.parse(t) : undefined) === JSON.stringify(props.value)) return t;
      } catch {
        // Local text is mid-edit and invalid: the outside value changed, so show that instead.
      }
      return shown;
    });
  }, [shown, props.value]);
  return (
    <label className="field">
      <span>{props.label}</span>
      <textarea
        rows={4}
        className="mono"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            props.onChange(e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
            setError(null);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error && <small className="error">{error}</small>}
    </label>
  );
}
