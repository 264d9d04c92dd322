import { useState } from "react";
import type { DraftTrigger } from "../api/apiTypes.ts";
import type { EditorRefs } from "./editorRefs.ts";
import { forgetDrafts, useFieldDrafts } from "./fieldDrafts.ts";
import { JsonField, ListField, SelectField, TextField } from "./formFields.tsx";
import { compact } from "./StepForm.tsx";
import { TRIGGER_CATALOG, TRIGGER_TYPES } from "./stepCatalog.ts";

interface Props {
  trigger: DraftTrigger;
  refs: EditorRefs;
  errors: string[];
  hookUrl: string | null;
  onChange: (t: DraftTrigger) => void;
}

/** The trigger's settings; switching the type starts from that type's defaults. */
export function TriggerForm({ trigger, refs, errors, hookUrl, onChange }: Props) {
  const set = (patch: Record<string, unknown>) => onChange(compact({ ...trigger, ...patch }) as DraftTrigger);
  const fieldDrafts = useFieldDrafts();
  return (
    <div className="step-form" data-testid="trigger-form">
      <h3>Trigger</h3>
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <SelectField
        label="Trigger type"
        value={trigger.type}
        options={TRIGGER_TYPES.map((t) => ({ value: t, label: TRIGGER_CATALOG[t].label }))}
        onChange={(t) => {
          if (!t || t === trigger.type) return;
          // The old type's fields go, and with them any text typed into them that didn't parse.
          forgetDrafts(fieldDrafts);
          onChange(TRIGGER_CATALOG[t].make());
        }}
      />
      {trigger.type === "webhook" && (
        <>
          {hookUrl && <HookUrl url={new URL(hookUrl, window.location.origin).href} />}
          <TextField
            label="Contact phone (Liquid)"
            value={trigger.contact.phone}
            onChange={(phone) => set({ contact: compact({ ...trigger.contact, phone: phone ?? "" }) })}
          />
          <TextField
            label="Contact name (Liquid)"
            value={trigger.contact.name}
            onChange={(name) => set({ contact: compact({ ...trigger.contact, name }) })}
          />
          <JsonField
            label="Contact fields ({key: Liquid})"
            value={trigger.contact.fields}
            onChange={(fields) => set({ contact: compact({ ...trigger.contact, fields }) })}
          />
          <TextField
            label="Dedupe key (Liquid)"
            value={trigger.dedupe_key}
            onChange={(dedupe_key) => set({ dedupe_key })}
          />
          {/* Write-only: a saved secret comes back as a placeholder, which saved again keeps it; typing replaces it. */}
          <TextField
            label="HMAC secret (16+ characters)"
            type="password"
            value={trigger.secret}
            onChange={(secret) => set({ secret })}
          />
        </>
      )}
      {trigger.type === "conversation_opened" && (
        <SelectField
          label="Channel"
          value={trigger.channel}
          empty="any channel"
          options={refs.channels.map((c) => ({ value: c.id, label: c.name }))}
          onChange={(channel) => set({ channel })}
        />
      )}
      {trigger.type === "conversation_closed" && (
        <ListField
          label={`Only under categories (${refs.categories.map((c) => c.key).join(", ")})`}
          value={trigger.categories}
          onChange={(categories) => set({ categories })}
        />
      )}
      {trigger.type === "inbound_message" && (
        <>
          <JsonField
            label='Keywords ([{"match": "exact|contains|regex", "value"}])'
            value={trigger.keywords}
            onChange={(keywords) => set({ keywords })}
          />
          <SelectField
            label="When"
            value={trigger.when}
            options={[
              { value: "no_open_conversation", label: "only a message that opens the conversation" },
              { value: "always", label: "every matching message" },
            ]}
            onChange={(when) => set({ when })}
          />
        </>
      )}
      {trigger.type === "contact_updated" && (
        <>
          <ListField label="Fields" value={trigger.fields} onChange={(fields) => set({ fields })} />
          <ListField label="Tags gained" value={trigger.tags} onChange={(tags) => set({ tags })} />
        </>
      )}
      {trigger.type === "schedule" && (
        <>
          <TextField label="Cron" value={trigger.cron} onChange={(cron) => set({ cron: cron ?? "" })} />
          <TextField label="Time zone" value={trigger.timezone} onChange={(timezone) => set({ timezone })} />
          <JsonField
            label="Audience ({tags, fields, last_inbound_before})"
            value={trigger.audience}
            onChange={(audience) => set({ audience })}
          />
        </>
      )}
      {trigger.type === "date_field" && (
        <>
          <TextField
            label="Date field"
            value={trigger.field}
            onChange={(field) => set({ field: field ?? "" })}
          />
          <TextField
            label="Offset (e.g. -PT24H)"
            value={trigger.offset}
            onChange={(offset) => set({ offset })}
          />
        </>
      )}
      {trigger.type === "manual" && (
        <JsonField
          label="Default audience ({tags, fields, last_inbound_before})"
          value={trigger.audience}
          onChange={(audience) => set({ audience })}
        />
      )}
    </div>
  );
}

/** The public hook URL: wraps anywhere (a token is one long word) and copies with a click. */
function HookUrl({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="wf-hook muted">
      Public hook: <code data-testid="hook-url">{url}</code>
      <button
        type="button"
        className="small"
        onClick={() => {
          void navigator.clipboard?.writeText(url).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
