import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";
import { renderTemplateRef } from "./renderTemplateRef.ts";

export async function executeOpenConversation(
  step: StepOf<"open_conversation">,
  sc: StepContext,
): Promise<StepResult> {
  const message = step.message
    ? {
        text: step.message.text === undefined ? undefined : await sc.render(step.message.text),
        template: step.message.template ? await renderTemplateRef(step.message.template, sc) : undefined,
      }
    : undefined;
  return {
    kind: "continue",
    effects: [{ kind: "open", channel: step.channel, assign: step.assign, message }],
  };
}
