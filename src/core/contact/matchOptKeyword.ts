import type { WorkspaceSettings } from "../workspace/workspaceSchema.ts";

/** Whether an inbound text is an opt-out or opt-in keyword (whole message, trimmed, case-insensitive). */
export function matchOptKeyword(
  text: string,
  settings: Pick<WorkspaceSettings, "opt_out_keywords" | "opt_in_keywords">,
): "out" | "in" | null {
  const t = text.trim().toLowerCase();
  if (settings.opt_out_keywords.some((k) => k.trim().toLowerCase() === t)) return "out";
  if (settings.opt_in_keywords.some((k) => k.trim().toLowerCase() === t)) return "in";
  return null;
}
