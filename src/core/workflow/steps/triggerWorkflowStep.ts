import { z } from "zod";
import { liquidSchema, stepBase } from "../stepBase.ts";

export const triggerWorkflowStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("trigger_workflow"),
  workflow: z.string().min(1).max(200).describe("Workflow id or name"),
  data: z.record(z.string(), liquidSchema).optional().describe("Becomes the new run's `trigger` data"),
});

export const triggerWorkflowStepDocs =
  "Starts another workflow for the same contact; this run does not wait for it.";
