import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/api.ts";
import type { Category, Workspace, WorkspacePatch } from "../api/apiTypes.ts";

type Settings = NonNullable<WorkspacePatch["settings"]>;

const LIMITS = [250, 2000, 10000, 100000] as const;

/** The time zones the browser knows, for the workspace time-zone picker (a free field where unsupported). */
const zones: string[] = (() => {
  try {
    return (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
})();

/** Saves a settings patch; each card shows its own "Saved" or the server's error. */
function useSaveSettings() {
  const client = useQueryClient();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (settings: Settings) => api<Workspace>("PATCH", "/api/v1/workspace", { settings }),
    onMutate: () => setSaved(false),
    onSuccess: (w) => {
      client.setQueryData(["workspace"], w);
      setSaved(true);
    },
  });
  return { save, saved };
}

function Status({ saved, error, testId }: { saved: boolean; error: Error | null; testId: string }) {
  if (error)
    return (
      <span className="error" data-testid={`${testId}-error`}>
        {error.message}
      </span>
    );
  return saved ? (
    <span className="muted" data-testid={`${testId}-saved`}>
      Saved
    </span>
  ) : null;
}

/**
 * Guardrails for business-initiated conversations (frequency cap, quiet hours, the workspace time zone, Meta's
 * messaging limit) and auto-close (idle hours, with the category and summary it closes with).
 */
export function AutomationSettings() {
  const ws = useQuery({ queryKey: ["workspace"], queryFn: () => api<Workspace>("GET", "/api/v1/workspace") });
  const cats = useQuery({
    queryKey: ["categories"],
    queryFn: () => api<{ data: Category[] }>("GET", "/api/v1/conversation-categories"),
  });
  const guard = useSaveSettings();
  const close = useSaveSettings();
  const [quiet, setQuiet] = useState<boolean | null>(null);
  const [autoOn, setAutoOn] = useState<boolean | null>(null);
  if (!ws.data) return null;
  const s = ws.data.settings;
  const quietOn = quiet ?? s.quiet_hours !== null;
  const autoCloseOn = autoOn ?? s.auto_close !== null;

  const saveGuardrails = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const cap = String(f.get("frequency_cap") ?? "").trim();
    const limit = String(f.get("messaging_limit") ?? "");
    guard.save.mutate({
      frequency_cap: cap === "" ? null : Number(cap),
      quiet_hours: quietOn
        ? { start: String(f.get("quiet_start") ?? ""), end: String(f.get("quiet_end") ?? "") }
        : null,
      timezone: String(f.get("timezone") ?? "UTC").trim() || "UTC",
      messaging_limit: LIMITS.find((l) => String(l) === limit) ?? null,
    });
  };
  const saveAutoClose = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const category = String(f.get("auto_category") ?? "");
    const summary = String(f.get("auto_summary") ?? "").trim();
    close.save.mutate({
      auto_close: autoCloseOn
        ? {
            after_hours: Number(f.get("after_hours")),
            ...(category ? { category } : {}),
            ...(summary ? { summary } : {}),
          }
        : null,
    });
  };

  return (
    <>
      <section className="card">
        <h3>Guardrails</h3>
        <p className="muted">
          Limits on conversations the business starts (workflows and templates); replies to customers are
          never held back.
        </p>
        <form onSubmit={saveGuardrails} className="form-grid" data-testid="guardrails">
          <label>
            Frequency cap (opens per contact per 24 h)
            <input
              name="frequency_cap"
              type="number"
              min={0}
              max={1000}
              step={1}
              placeholder="No cap"
              defaultValue={s.frequency_cap ?? ""}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              name="quiet"
              checked={quietOn}
              onChange={(e) => setQuiet(e.target.checked)}
            />
            Quiet hours
          </label>
          {(
            [
              ["From", "quiet_start", s.quiet_hours?.start ?? "21:00"],
              ["Until", "quiet_end", s.quiet_hours?.end ?? "08:00"],
            ] as const
          ).map(([label, name, value]) => (
            <label key={name}>
              {label}
              <input name={name} type="time" required={quietOn} disabled={!quietOn} defaultValue={value} />
            </label>
          ))}
          <label>
            Time zone (when the contact has none)
            <input name="timezone" list="time-zones" defaultValue={s.timezone} required />
            <datalist id="time-zones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
          <label>
            Messaging limit (Meta tier)
            <select name="messaging_limit" defaultValue={s.messaging_limit ?? ""}>
              <option value="">None</option>
              {LIMITS.map((l) => (
                <option key={l} value={l}>
                  {l.toLocaleString("en")} contacts / 24 h
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={guard.save.isPending}>
            Save guardrails
          </button>
          <Status saved={guard.saved} error={guard.save.error} testId="guardrails" />
        </form>
      </section>
      <section className="card">
        <h3>Auto-close</h3>
        <form onSubmit={saveAutoClose} className="form-grid" data-testid="auto-close">
          <label className="check">
            <input
              type="checkbox"
              name="auto_on"
              checked={autoCloseOn}
              onChange={(e) => setAutoOn(e.target.checked)}
            />
            Close idle conversations
          </label>
          <label>
            After (hours without a message)
            <input
              name="after_hours"
              type="number"
              min={0.5}
              max={336}
              step={0.5}
              required={autoCloseOn}
              disabled={!autoCloseOn}
              defaultValue={s.auto_close?.after_hours ?? 24}
            />
          </label>
          <label>
            With category
            <select
              name="auto_category"
              disabled={!autoCloseOn}
              defaultValue={s.auto_close?.category ?? ""}
              key={cats.data ? "loaded" : "loading"}
            >
              <option value="">No category</option>
              {cats.data?.data
                .filter((c) => !c.archived || c.key === s.auto_close?.category)
                .map((c) => (
                  <option key={c.key} value={c.key}>
                    {c.name}
                  </option>
                ))}
            </select>
          </label>
          <label className="wide">
            Summary
            <input
              name="auto_summary"
              maxLength={2000}
              disabled={!autoCloseOn}
              placeholder="Closed automatically after N h without messages"
              defaultValue={s.auto_close?.summary ?? ""}
            />
          </label>
          <button type="submit" className="primary" disabled={close.save.isPending}>
            Save auto-close
          </button>
          <Status saved={close.saved} error={close.save.error} testId="auto-close" />
        </form>
      </section>
    </>
  );
}
