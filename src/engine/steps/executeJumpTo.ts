import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeJumpTo(step: StepOf<"jump_to">, _sc: StepContext): Promise<StepResult> {
  return { kind: "continue", next: step.target };
}
