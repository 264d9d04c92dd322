import { z } from "zod";
import { parseDuration } from "./parseDuration.ts";
import { WORKFLOW_LIMITS } from "./workflowLimits.ts";

export const stepIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "step ids are 1-64 letters, digits, '-' or '_'");

/** A Liquid template string, rendered against the run's data when the step runs. */
export const liquidSchema = z.string().max(WORKFLOW_LIMITS.templateChars);

export const durationSchema = z.string().refine((s) => parseDuration(s) !== null, {
  message: "must be an ISO-8601 duration such as PT24H or P30D",
});

/** What every step has: an id (unique in the workflow) and optionally where to go next instead of the next step. */
export const stepBase = {
  id: stepIdSchema,
  name: z.string().max(200).optional(),
  next: stepIdSchema.optional().describe("Step to run next; default: the following step"),
};

export const buttonSchema = z.strictObject({
  id: z.string().trim().min(1).max(256),
  title: z.string().trim().min(1).max(20),
});

export const templateRefSchema = z.strictObject({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  body: z.array(liquidSchema).max(100).optional(),
});
