import type { WorkflowDefinition } from "./workflowDefinitionSchema.ts";

/** What the API shows instead of a webhook trigger's HMAC secret; sending it back keeps the stored secret. */
const KEPT = "******** (unchanged) ********";

/**
 * A webhook trigger's `secret` is write-only: responses carry a placeholder, and a definition saved with the
 * placeholder keeps the secret it had (so an editor can load, change and save a workflow without ever seeing it).
 */
export const hookSecret = {
  KEPT,

  redact(def: WorkflowDefinition): WorkflowDefinition {
    if (def.trigger.type !== "webhook" || !def.trigger.secret) return def;
    return { ...def, trigger: { ...def.trigger, secret: KEPT } };
  },

  /** The input with the placeholder replaced by the stored secret; unchanged when it has no placeholder. */
  restore(input: unknown, stored: WorkflowDefinition | null): { input: unknown; missing: boolean } {
    if (!input || typeof input !== "object") return { input, missing: false };
    const trigger = (input as { trigger?: unknown }).trigger;
    if (!trigger || typeof trigger !== "object" || (trigger as { secret?: unknown }).secret !== KEPT)
      return { input, missing: false };
    const secret = stored?.trigger.type === "webhook" ? stored.trigger.secret : undefined;
    if (!secret) return { input, missing: true };
    return { input: { ...input, trigger: { ...trigger, secret } }, missing: false };
  },
};
