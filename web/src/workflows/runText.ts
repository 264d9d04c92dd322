import type { WorkflowRunStep } from "../api/apiTypes.ts";
import { duration } from "../inbox/formatTime.ts";

/**
 * Readable text for what the engine records on runs and steps: skip and defer reasons (the codes from
 * src/engine/checkGuardrails.ts, applyEffects.ts and startRunIn.ts), the notes in a step's `detail`, and step times.
 */

const REASONS: Record<string, string> = {
  opted_out: "Contact opted out",
  marketing_opt_out: "Contact opted out of marketing messages",
  frequency_cap:
    "Frequency cap reached: too many business-initiated conversations with this contact in 24 hours",
  quiet_hours: "Quiet hours",
  messaging_limit: "The number's daily messaging limit is reached",
  once_per_contact: "Already ran for this contact (once per contact)",
};

/** A skip or defer reason as a sentence; an unknown code is shown as it is. */
export const reasonLabel = (code: string): string => REASONS[code] ?? code;

export interface StepNote {
  /** `warn`: something the step did not do (a message not sent, a workflow not started, a broken pattern). */
  tone: "info" | "warn";
  text: string;
}

const OUTCOMES: Record<string, string> = {
  created: "Opened a new conversation",
  reopened: "Reopened the conversation",
  unchanged: "The conversation was already open",
};

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const isNotDone = (v: unknown): v is string => typeof v === "string" && /^not /i.test(v);
// Recorded elsewhere on the timeline (error, reason, times) or internal.
const SHOWN_ELSEWHERE = new Set([
  "error",
  "code",
  "reason",
  "until",
  "waitpoint_id",
  "conversation_id",
  "next",
]);

/** The meaningful entries of a step's `detail`, readable; warnings first. */
export function stepNotes(step: Pick<WorkflowRunStep, "detail" | "error">): StepNote[] {
  const d = step.detail ?? {};
  const notes: StepNote[] = [];
  const info = (text: string) => notes.push({ tone: "info", text });
  for (const [key, value] of Object.entries(d)) {
    if (SHOWN_ELSEWHERE.has(key)) continue;
    // "not sent: …", "not started: …": what the step skipped doing without failing.
    if (isNotDone(value)) {
      notes.push({ tone: "warn", text: capitalize(value) });
      continue;
    }
    switch (key) {
      case "outcome":
        if (typeof value === "string") info(OUTCOMES[value] ?? `Conversation: ${value}`);
        break;
      case "message_id":
        info(
          d.message_kind === "template"
            ? "Queued a template message"
            : d.message_kind === "text"
              ? "Queued a text message"
              : "Queued the message",
        );
        break;
      case "branch":
        if (value === "else") info("No branch matched: took else");
        else if (typeof value === "number")
          info(`Took branch ${value + 1}${typeof d.next === "string" ? ` → ${d.next}` : ""}`);
        break;
      case "invalid_patterns":
        if (Array.isArray(value))
          for (const p of value as { pattern?: unknown; error?: unknown }[])
            notes.push({
              tone: "warn",
              text: `Pattern ${JSON.stringify(String(p.pattern))} is not a valid regular expression and matches nothing${
                p.error ? ` (${String(p.error)})` : ""
              }`,
            });
        break;
      case "started_run_id":
        if (typeof value === "string") info(`Started run ${value.slice(0, 8)}`);
        break;
      case "close":
        if (value === "already closed") info("The conversation was already closed");
        else if (typeof value === "string") info(capitalize(value));
        break;
      case "changes":
        if (Array.isArray(value))
          info(
            value.length ? `Changed ${value.join(", ")}` : "Nothing to change: the contact already matched",
          );
        break;
      case "answer":
        if (typeof value === "string") info(`Answer: ${value}`);
        break;
      case "timed_out":
        if (value === true) info("No answer before the timeout");
        break;
      case "waited":
        if (value === false) info("The time had already passed: no wait");
        break;
      case "category":
        if (typeof value === "string") info(`Category: ${value}`);
        break;
      case "summary":
        if (typeof value === "string" && value) info(`Summary: ${value}`);
        break;
      case "status":
        // An HTTP request's response status; a failure's text is the step's error.
        if (typeof value === "number" && !step.error) info(`HTTP ${value}`);
        break;
      default:
        break;
    }
  }
  return [...notes.filter((n) => n.tone === "warn"), ...notes.filter((n) => n.tone === "info")];
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** `end` as short as it can be after `start`: nothing when it shows the same, the time only on the same day. */
export function endAfter(startIso: string, endIso: string): string {
  const s = new Date(startIso);
  const e = new Date(endIso);
  const full = e.toLocaleString();
  if (full === s.toLocaleString()) return "";
  return e.toDateString() === s.toDateString() ? e.toLocaleTimeString() : full;
}

/** A step's times: its start, then its end compactly, or for a wait or a deferral what it waits until. */
export function stepTimes(
  s: Pick<WorkflowRunStep, "status" | "started_at" | "finished_at" | "detail">,
): string {
  const start = when(s.started_at);
  const until = typeof s.detail?.until === "string" ? s.detail.until : null;
  if (s.status === "waiting") {
    if (s.finished_at) {
      const end = endAfter(s.started_at, s.finished_at);
      const took = Date.parse(s.finished_at) - Date.parse(s.started_at);
      return end ? `${start} → ${end} (waited ${duration(took)})` : start;
    }
    return until ? `${start}, waiting until ${endAfter(s.started_at, until) || "now"}` : start;
  }
  if (s.status === "deferred" && until)
    return `${start}, deferred until ${endAfter(s.started_at, until) || "now"}`;
  const end = s.finished_at ? endAfter(s.started_at, s.finished_at) : "";
  return end ? `${start} → ${end}` : start;
}
