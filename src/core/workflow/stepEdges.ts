import type { Step } from "./workflowDefinitionSchema.ts";

export interface StepEdge {
  /** Target step id, or null when the run ends there. */
  to: string | null;
  /** Field of the step the edge comes from, for error messages (`next`, `branches[0].next`, `on_timeout`). */
  field: string;
}

/** Where a step can go next: the graph that validation checks and the engine follows. */
export function stepEdges(steps: Step[], index: number): StepEdge[] {
  const step = steps[index];
  if (!step) return [];
  const following = steps[index + 1]?.id ?? null;
  const onward: StepEdge = step.next ? { to: step.next, field: "next" } : { to: following, field: "next" };
  switch (step.type) {
    case "jump_to":
      return [{ to: step.target, field: "target" }];
    case "branch":
      return [
        ...step.branches.map((b, i) => ({ to: b.next, field: `branches[${i}].next` })),
        step.else ? { to: step.else, field: "else" } : onward,
      ];
    case "ask_question":
      return step.on_timeout ? [onward, { to: step.on_timeout, field: "on_timeout" }] : [onward];
    case "http_request":
      return step.on_error ? [onward, { to: step.on_error, field: "on_error" }] : [onward];
    case "open_conversation":
    case "send_message":
    case "wait":
    case "assign":
    case "update_contact":
    case "add_comment":
    case "trigger_workflow":
    case "close_conversation":
      return [onward];
    default: {
      const never: never = step;
      return never;
    }
  }
}

/** Steps during which a run parks (so a loop through one of them cannot spin). */
export function isWaitingStep(step: Step): boolean {
  return step.type === "wait" || step.type === "ask_question";
}
