import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

/** The call itself happens before the step's transaction (performHttpRequest); this decides what follows. */
export async function executeHttpRequest(step: StepOf<"http_request">, sc: StepContext): Promise<StepResult> {
  const res = sc.http;
  if (!res) return { kind: "fail", error: "http_request ran without its response" };
  const output = { status: res.status, body: res.body, ...(res.error ? { error: res.error } : {}) };
  if (!res.ok) {
    if (!step.on_error) return { kind: "fail", error: res.error ?? `HTTP ${res.status}` };
    return {
      kind: "continue",
      next: step.on_error,
      output,
      ...(step.save_as ? { save: { name: step.save_as, value: output } } : {}),
      log: { status: res.status, error: res.error ?? `HTTP ${res.status}` },
    };
  }
  return {
    kind: "continue",
    output,
    ...(step.save_as ? { save: { name: step.save_as, value: output } } : {}),
    log: { status: res.status },
  };
}
