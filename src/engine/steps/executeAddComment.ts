import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeAddComment(step: StepOf<"add_comment">, sc: StepContext): Promise<StepResult> {
  return { kind: "continue", effects: [{ kind: "comment", text: await sc.render(step.text) }] };
}
