import { evaluateCondition } from "../../core/workflow/evaluateCondition.ts";
import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeBranch(step: StepOf<"branch">, sc: StepContext): Promise<StepResult> {
  const i = step.branches.findIndex((b) => evaluateCondition(b.when, sc.scope));
  const taken = step.branches[i];
  if (taken)
    return {
      kind: "continue",
      next: taken.next,
      output: { branch: i },
      log: { branch: i, next: taken.next },
    };
  return {
    kind: "continue",
    ...(step.else ? { next: step.else } : {}),
    output: { branch: null },
    log: { branch: "else" },
  };
}
