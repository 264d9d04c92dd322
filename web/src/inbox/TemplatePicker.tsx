import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/api.ts";
import type { OutboundMessage, Template } from "../api/apiTypes.ts";

type OutboundTemplate = NonNullable<OutboundMessage["template"]>;

const bodyText = (t: Template): string => {
  const body = t.components.find(
    (c): c is { type: string; text: string } =>
      typeof c === "object" && c !== null && (c as { type?: string }).type === "BODY",
  );
  return body?.text ?? "";
};

/** Pick an approved template of the conversation's number and fill its body parameters. */
export function TemplatePicker(props: {
  channelId: string;
  busy: boolean;
  error: string | null;
  onSend: (t: OutboundTemplate) => void;
}) {
  const templates = useQuery({
    queryKey: ["templates", props.channelId],
    queryFn: () => api<{ data: Template[] }>("GET", `/api/v1/channels/${props.channelId}/templates`),
  });
  const [name, setName] = useState("");
  const [params, setParams] = useState<string[]>([]);
  const approved = templates.data?.data.filter((t) => t.status === "APPROVED") ?? [];
  const chosen = approved.find((t) => `${t.name}:${t.language}` === name);
  const named = chosen?.parameter_format === "named";
  const fields = chosen
    ? named
      ? chosen.param_names
      : Array.from({ length: chosen.body_param_count }, (_, i) => `{{${i + 1}}}`)
    : [];

  const send = () => {
    if (!chosen) return;
    const body = named
      ? fields.map((f, i) => ({ name: f, value: params[i] ?? "" }))
      : fields.map((_, i) => params[i] ?? "");
    props.onSend({ name: chosen.name, language: chosen.language, ...(fields.length ? { body } : {}) });
  };

  return (
    <div className="template-picker" data-testid="template-picker">
      <p className="muted">
        The 24-hour window is closed: only an approved template can start the conversation again.
      </p>
      <select
        aria-label="Template"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setParams([]);
        }}
      >
        <option value="">Choose a template…</option>
        {approved.map((t) => (
          <option key={t.id} value={`${t.name}:${t.language}`}>
            {t.name} ({t.language}, {t.category.toLowerCase()})
          </option>
        ))}
      </select>
      {chosen && <p className="template-preview">{bodyText(chosen)}</p>}
      {fields.map((f, i) => (
        <input
          key={f}
          aria-label={`Parameter ${f}`}
          placeholder={f}
          value={params[i] ?? ""}
          onChange={(e) => setParams((p) => Object.assign([...p], { [i]: e.target.value }))}
        />
      ))}
      <button
        type="button"
        className="primary"
        disabled={!chosen || props.busy || fields.some((_, i) => !params[i]?.trim())}
        onClick={send}
      >
        Send template
      </button>
      {props.error && <p className="error">{props.error}</p>}
    </div>
  );
}
