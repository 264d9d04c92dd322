import type { DraftStep, DraftTrigger, WorkflowDraft } from "../api/apiTypes.ts";

type StepType = DraftStep["type"];
type TriggerType = DraftTrigger["type"];

/** Labels and the smallest valid body of each step type, so a new step saves without further edits. */
export const STEP_CATALOG: { [T in StepType]: { label: string; make: (id: string) => DraftStep } } = {
  open_conversation: { label: "Open conversation", make: (id) => ({ id, type: "open_conversation" }) },
  send_message: { label: "Send message", make: (id) => ({ id, type: "send_message", text: "Hello!" }) },
  ask_question: {
    label: "Ask question",
    make: (id) => ({ id, type: "ask_question", text: "Can we help?", save_as: "answer" }),
  },
  wait: { label: "Wait", make: (id) => ({ id, type: "wait", duration: "PT1H" }) },
  branch: {
    label: "Branch",
    make: (id) => ({
      id,
      type: "branch",
      branches: [{ when: { var: "answer.id", op: "eq", value: "yes" }, next: id }],
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
  jump_to: { label: "Jump to", make: (id) => ({ id, type: "jump_to", target: id }) },
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
