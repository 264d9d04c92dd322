import { parseDuration } from "../../core/workflow/parseDuration.ts";
import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeWait(step: StepOf<"wait">, sc: StepContext): Promise<StepResult> {
  if (sc.resume) return { kind: "continue" };
  let until: number;
  if (step.duration) until = sc.now + (parseDuration(step.duration) ?? 0);
  else {
    const rendered = (await sc.render(step.until ?? "")).trim();
    const at = /^\d+$/.test(rendered) ? Number(rendered) : Date.parse(rendered);
    if (!Number.isFinite(at)) return { kind: "fail", error: `wait.until: "${rendered}" is not a time` };
    until = at;
  }
  // A time already past needs no parking.
  if (until <= sc.now) return { kind: "continue", log: { waited: false } };
  return { kind: "park", waitFor: "time", until, log: { until: new Date(until).toISOString() } };
}
