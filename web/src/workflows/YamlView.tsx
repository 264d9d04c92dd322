import { useEffect, useState } from "react";
import { parse, stringify } from "yaml";
import type { WorkflowDraft } from "../api/apiTypes.ts";

/**
 * The same definition as YAML (the CLI's format). Edits apply to the draft as soon as they parse, so the canvas
 * and this view never disagree; the server still validates the shape on Save.
 */
export function YamlView(props: {
  def: WorkflowDraft;
  readOnly: boolean;
  onChange: (d: WorkflowDraft) => void;
}) {
  const shown = stringify(props.def, { lineWidth: 0 });
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Keep the user's formatting while it still means the same definition; otherwise show the new one.
    setText((t) => {
      try {
        if (JSON.stringify(parse(t)) === JSON.stringify(props.def)) return t;
      } catch {
        // mid-edit and unparsable: replaced below by the outside change
      }
      return shown;
    });
  }, [shown, props.def]);
  const edit = (value: string) => {
    setText(value);
    try {
      const doc: unknown = parse(value);
      if (!doc || typeof doc !== "object" || Array.isArray(doc))
        throw new Error("the definition is a mapping");
      const d = doc as Partial<WorkflowDraft>;
      if (!Array.isArray(d.steps) || !d.trigger || typeof d.trigger !== "object")
        throw new Error("a definition needs a trigger and a list of steps");
      setError(null);
      props.onChange(doc as WorkflowDraft);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="wf-yaml">
      <textarea
        aria-label="YAML definition"
        className="mono"
        spellCheck={false}
        readOnly={props.readOnly}
        value={text}
        onChange={(e) => edit(e.target.value)}
      />
      {error && (
        <p className="error" role="alert">
          YAML: {error}
        </p>
      )}
    </div>
  );
}
