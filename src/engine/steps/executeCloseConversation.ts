import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeCloseConversation(
  step: StepOf<"close_conversation">,
  sc: StepContext,
): Promise<StepResult> {
  const summary = step.summary === undefined ? undefined : (await sc.render(step.summary)).trim();
  return {
    kind: "continue",
    effects: [{ kind: "close", category: step.category, summary: summary || undefined }],
    log: { category: step.category ?? null, summary: summary ?? null },
  };
}
