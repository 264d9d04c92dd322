import type { z } from "zod";
import { LIMITS } from "./whatsappLimits.ts";

interface Section {
  title?: string | undefined;
  rows: readonly { id: string }[];
}

/**
 * The list-message rules that span sections, shared by the API schema and the Graph schema: row ids unique across
 * the whole list, at most 10 rows in all, and a title on every section once there is more than one.
 */
export function checkListSections(sections: readonly Section[], ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  let total = 0;
  sections.forEach((s, si) => {
    if (sections.length > 1 && !s.title) {
      ctx.addIssue({
        code: "custom",
        path: [si, "title"],
        message: "every section needs a title when there is more than one",
      });
    }
    s.rows.forEach((r, ri) => {
      total++;
      if (total === LIMITS.listRowsTotal + 1) {
        ctx.addIssue({
          code: "custom",
          path: [si, "rows", ri],
          message: `a list has at most ${LIMITS.listRowsTotal} rows across all sections`,
        });
      }
      if (ids.has(r.id)) {
        ctx.addIssue({ code: "custom", path: [si, "rows", ri, "id"], message: `duplicate row id "${r.id}"` });
      }
      ids.add(r.id);
    });
  });
}
