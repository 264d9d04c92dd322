import { z } from "zod";
import { liquidSchema, stepBase, stepIdSchema } from "../stepBase.ts";
import { WORKFLOW_LIMITS } from "../workflowLimits.ts";

/**
 * What can be known about a URL template before it renders: a literal URL must be http(s), and one that starts
 * with literal text must start with the scheme; one that starts with Liquid is checked when the step runs.
 */
function urlProblem(url: string): string | null {
  const u = url.trim();
  if (u.startsWith("{{") || u.startsWith("{%")) return null;
  if (u.includes("{{") || u.includes("{%"))
    return /^https?:\/\//i.test(u) ? null : "must start with http:// or https://";
  if (!URL.canParse(u)) return "not a URL";
  return /^https?:$/.test(new URL(u).protocol) ? null : "only http and https URLs are allowed";
}

export const httpRequestStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("http_request"),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
  url: liquidSchema.min(1).superRefine((url, ctx) => {
    const problem = urlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  headers: z.record(z.string().min(1).max(200), liquidSchema).optional(),
  body: z.unknown().optional().describe("JSON body; strings inside are Liquid templates"),
  timeout_ms: z.number().int().min(100).max(WORKFLOW_LIMITS.httpTimeoutMs).default(10_000),
  save_as: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
    .optional(),
  on_error: stepIdSchema
    .optional()
    .describe("Where to go on a network error or non-2xx answer; default: fail the run"),
});

export const httpRequestStepDocs =
  "Calls an HTTP endpoint and saves the answer ({status, body}). Private-network addresses are refused unless " +
  "PARLEY_HTTP_ALLOW_PRIVATE=on.";
