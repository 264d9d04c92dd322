import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeAssign(step: StepOf<"assign">, _sc: StepContext): Promise<StepResult> {
  return { kind: "continue", effects: [{ kind: "assign", to: step.to }] };
}
