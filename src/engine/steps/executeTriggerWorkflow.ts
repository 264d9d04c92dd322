import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeTriggerWorkflow(
  step: StepOf<"trigger_workflow">,
  sc: StepContext,
): Promise<StepResult> {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.data ?? {})) data[k] = await sc.render(v);
  return { kind: "continue", effects: [{ kind: "start_workflow", workflow: step.workflow, data }] };
}
