import type { z } from "zod";

/**
 * A superRefine for arrays whose items must differ by a key (Meta rejects repeated button ids or titles). The issue
 * sits on the repeated item, so its path reads e.g. `interactive.buttons[1]`.
 */
export function uniqueBy<T>(key: (item: T) => string, what: string) {
  return (items: readonly T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: "custom", message: `duplicate ${what} "${k}"`, path: [i] });
      seen.add(k);
    });
  };
}
