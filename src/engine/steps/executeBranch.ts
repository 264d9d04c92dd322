import { evaluateCondition } from "../../core/workflow/evaluateCondition.ts";
import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeBranch(step: StepOf<"branch">, sc: StepContext): Promise<StepResult> {
  // A pattern saved before patterns were checked may not compile: it matches nothing, and the step's log and the
  // server's log say so instead of the run quietly taking `else`.
  const invalid: { pattern: string; error: string }[] = [];
  const onInvalid = (pattern: string, error: string) => {
    if (!invalid.some((x) => x.pattern === pattern)) invalid.push({ pattern, error });
  };
  const i = step.branches.findIndex((b) => evaluateCondition(b.when, sc.scope, onInvalid));
  for (const x of invalid)
    sc.warn?.(
      { stepId: step.id, ...x },
      "branch pattern is not a valid regular expression; it matches nothing",
    );
  const invalidLog = invalid.length ? { invalid_patterns: invalid } : {};
  const taken = step.branches[i];
  if (taken)
    return {
      kind: "continue",
      next: taken.next,
      output: { branch: i },
      log: { branch: i, next: taken.next, ...invalidLog },
    };
  return {
    kind: "continue",
    ...(step.else ? { next: step.else } : {}),
    output: { branch: null },
    log: { branch: "else", ...invalidLog },
  };
}
