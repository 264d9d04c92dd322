import type { StepOf } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";

export async function executeUpdateContact(
  step: StepOf<"update_contact">,
  sc: StepContext,
): Promise<StepResult> {
  const fields: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(step.fields ?? {})) fields[k] = v === null ? null : await sc.render(v);
  return {
    kind: "continue",
    effects: [
      {
        kind: "update_contact",
        ...(step.name !== undefined ? { name: await sc.render(step.name) } : {}),
        fields,
        addTags: step.add_tags,
        removeTags: step.remove_tags,
      },
    ],
  };
}
