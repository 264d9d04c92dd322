import type { DraftStep, DraftTrigger, WorkflowDraft } from "../api/apiTypes.ts";

type StepType = DraftStep["type"];
type TriggerType = DraftTrigger["type"];

/**
 * Labels and the smallest valid body of each step type, so a new step saves without further edits. `following`
 * is the id of the step the new one lands before: a branch or jump points there (never at itself, which would be
 * a loop the server refuses); with no following step the target is left empty for the user to choose.
 */
export const STEP_CATALOG: {
  [T in StepType]: { label: string; make: (id: string, following?: string) => DraftStep };
} = {
  open_conversation: { label: "Open conversation", make: (id) => ({ id, type: "open_conversation" }) },
  send_message: { label: "Send message", make: (id) => ({ id, type: "send_message", text: "Hello!" }) },
  ask_question: {
    label: "Ask question",
    make: (id) => ({ id, type: "ask_question", text: "Can we help?", save_as: "answer" }),
  },
  wait: { label: "Wait", make: (id) => ({ id, type: "wait", duration: "PT1H" }) },
  branch: {
    label: "Branch",
    make: (id, following) => ({
      id,
      type: "branch",
      branches: [{ when: { var: "answer.id", op: "eq", value: "yes" }, next: following ?? "" }],
    }),
  },
  assign: { label: "Assign", make: (id) => ({ id, type: "assign", to: { type: "bot" } }) },
  update_contact: { label: "Update contact", make: (id) => ({ id, type: "update_contact", add_tags: [] }) },
  add_comment: { label: "Add comment", make: (id) => ({ id, type: "add_comment", text: "Note" }) },
  http_request: {
    label: "HTTP request",
    make: (id) => ({ id, type: "http_request", method: "GET", url: "https://example.com" }),
  },
  trigger_workflow: {
    label: "Trigger workflow",
    make: (id) => ({ id, type: "trigger_workflow", workflow: "" }),
  },
  jump_to: { label: "Jump to", make: (id, following) => ({ id, type: "jump_to", target: following ?? "" }) },
  close_conversation: { label: "Close conversation", make: (id) => ({ id, type: "close_conversation" }) },
};

export const STEP_TYPES = Object.keys(STEP_CATALOG) as StepType[];

export const TRIGGER_CATALOG: { [T in TriggerType]: { label: string; make: () => DraftTrigger } } = {
  webhook: {
    label: "Webhook",
    make: () => ({ type: "webhook", contact: { phone: "{{ trigger.phone }}" } }),
  },
  conversation_opened: { label: "Conversation opened", make: () => ({ type: "conversation_opened" }) },
  conversation_closed: { label: "Conversation closed", make: () => ({ type: "conversation_closed" }) },
  inbound_message: { label: "Inbound message", make: () => ({ type: "inbound_message" }) },
  contact_updated: { label: "Contact updated", make: () => ({ type: "contact_updated" }) },
  schedule: { label: "Schedule", make: () => ({ type: "schedule", cron: "0 9 * * 1" }) },
  date_field: { label: "Date field", make: () => ({ type: "date_field", field: "birthday" }) },
  manual: { label: "Manual", make: () => ({ type: "manual" }) },
};

export const TRIGGER_TYPES = Object.keys(TRIGGER_CATALOG) as TriggerType[];

/** Short ids for new steps (`send`, `send_2`): they end up in YAML, run logs and Liquid (`steps.ask`). */
export const STEP_ID_BASE: Record<StepType, string> = {
  open_conversation: "open",
  send_message: "send",
  ask_question: "ask",
  wait: "wait",
  branch: "branch",
  assign: "assign",
  update_contact: "update",
  add_comment: "comment",
  http_request: "http",
  trigger_workflow: "start",
  jump_to: "jump",
  close_conversation: "close",
};

/** One line on the node saying what the step will do, so the canvas reads without opening every form. */
export function stepSummary(s: DraftStep): string {
  const cut = (x: string | undefined) => (x && x.length > 40 ? `${x.slice(0, 39)}…` : (x ?? ""));
  switch (s.type) {
    case "open_conversation":
      return cut(s.message?.text ?? (s.message?.template ? `template ${s.message.template.name}` : ""));
    case "send_message":
      return cut(s.text ?? (s.template ? `template ${s.template.name}` : ""));
    case "ask_question":
      return cut(s.text ?? (s.template ? `template ${s.template.name}` : "waits for the reply"));
    case "wait":
      return s.duration ?? cut(s.until);
    case "branch":
      return `${s.branches.length} branch${s.branches.length > 1 ? "es" : ""}`;
    case "assign":
      return s.to.type;
    case "add_comment":
      return cut(s.text);
    case "http_request":
      return cut(`${s.method ?? "GET"} ${s.url}`);
    case "trigger_workflow":
      return cut(s.workflow);
    case "jump_to":
      return s.target ? `→ ${s.target}` : "→ (choose a step)";
    case "close_conversation":
      return [s.category, cut(s.summary)].filter(Boolean).join(" · ");
    case "update_contact":
      return cut([...(s.add_tags ?? []).map((t) => `+${t}`), ...Object.keys(s.fields ?? {})].join(" "));
  }
}

export function triggerSummary(t: DraftTrigger): string {
  switch (t.type) {
    case "webhook":
      return `phone ${t.contact.phone}`;
    case "schedule":
      return t.cron;
    case "date_field":
      return `${t.field} ${t.offset ?? ""}`;
    case "inbound_message":
      return t.keywords?.map((k) => k.value).join(", ") ?? "any message";
    case "conversation_closed":
      return t.categories?.join(", ") ?? "any category";
    default:
      return "";
  }
}

/** What "New workflow" starts from: a webhook that opens a conversation. */
export const newDraft = (): WorkflowDraft => ({
  name: "New workflow",
  trigger: TRIGGER_CATALOG.webhook.make(),
  steps: [STEP_CATALOG.open_conversation.make("open")],
});

export function triggerLabel(type: string): string {
  return (TRIGGER_CATALOG as Record<string, { label: string }>)[type]?.label ?? type;
}

export function stepLabel(type: string): string {
  return (STEP_CATALOG as Record<string, { label: string }>)[type]?.label ?? type;
}
