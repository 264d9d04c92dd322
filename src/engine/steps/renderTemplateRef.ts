import type { StepContext, TemplateMessage } from "../stepTypes.ts";

/** Renders a template reference's Liquid body parameters. */
export async function renderTemplateRef(
  t: { name: string; language: string; body?: string[] },
  sc: StepContext,
): Promise<TemplateMessage> {
  return {
    name: t.name,
    language: t.language,
    ...(t.body ? { body: await Promise.all(t.body.map((b) => sc.render(b))) } : {}),
  };
}
