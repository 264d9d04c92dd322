import { parseDuration } from "../../core/workflow/parseDuration.ts";
import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { Effect, StepContext, StepResult } from "../stepTypes.ts";
import { renderTemplateRef } from "./renderTemplateRef.ts";

/** First pass: ask and park on a reply waitpoint. Second pass (resumed): save the answer or take the timeout edge. */
export async function executeAskQuestion(step: StepOf<"ask_question">, sc: StepContext): Promise<StepResult> {
  if (sc.resume?.kind === "reply") {
    const answer = sc.resume.answer;
    const effects: Effect[] = step.save_to_field
      ? [{ kind: "update_contact", fields: { [step.save_to_field]: answer.text } }]
      : [];
    return {
      kind: "continue",
      effects,
      output: answer,
      ...(step.save_as ? { save: { name: step.save_as, value: answer } } : {}),
      log: { answer: answer.title },
    };
  }
  if (sc.resume?.kind === "timeout") {
    return {
      kind: "continue",
      next: step.on_timeout,
      output: null,
      ...(step.save_as ? { save: { name: step.save_as, value: null } } : {}),
      log: { timed_out: true },
    };
  }
  const effects: Effect[] = [];
  if (step.text !== undefined || step.template) {
    const text = step.text === undefined ? undefined : await sc.render(step.text);
    const template = step.template ? await renderTemplateRef(step.template, sc) : undefined;
    const message = text
      ? step.buttons
        ? { interactive: { type: "button", body: text, buttons: step.buttons } }
        : { text }
      : { template };
    // Outside the window a free-form question can't go out; the question is then the previous template's
    // quick replies (e.g. order_ready's Yes/No), so the run just waits for the answer.
    effects.push({ kind: "send", message, template, optional: true });
  }
  const timeout = step.timeout ? parseDuration(step.timeout) : null;
  return { kind: "park", effects, waitFor: "reply", until: timeout === null ? null : sc.now + timeout };
}
