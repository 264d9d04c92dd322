import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";
import { renderTemplateRef } from "./renderTemplateRef.ts";

export async function executeSendMessage(step: StepOf<"send_message">, sc: StepContext): Promise<StepResult> {
  let message: Record<string, unknown>;
  if (step.template) message = { template: await renderTemplateRef(step.template, sc) };
  else if (step.image)
    message = {
      image: {
        link: await sc.render(step.image.link),
        ...(step.image.caption ? { caption: await sc.render(step.image.caption) } : {}),
      },
    };
  else if (step.document)
    message = {
      document: {
        link: await sc.render(step.document.link),
        ...(step.document.caption ? { caption: await sc.render(step.document.caption) } : {}),
        ...(step.document.filename ? { filename: step.document.filename } : {}),
      },
    };
  else {
    const text = await sc.render(step.text ?? "");
    if (step.buttons) message = { interactive: { type: "button", body: text, buttons: step.buttons } };
    else if (step.list)
      message = {
        interactive: { type: "list", body: text, button: step.list.button, sections: step.list.sections },
      };
    else message = { text };
  }
  return { kind: "continue", effects: [{ kind: "send", message }] };
}
