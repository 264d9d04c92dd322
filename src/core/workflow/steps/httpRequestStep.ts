import { z } from "zod";
import { liquidSchema, stepBase, stepIdSchema } from "../stepBase.ts";
import { WORKFLOW_LIMITS } from "../workflowLimits.ts";

export const httpRequestStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("http_request"),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
  url: liquidSchema.min(1),
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
