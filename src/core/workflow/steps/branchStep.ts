import { z } from "zod";
import { conditionSchema } from "../conditionSchema.ts";
import { stepBase, stepIdSchema } from "../stepBase.ts";

export const branchStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("branch"),
  branches: z
    .array(z.strictObject({ when: conditionSchema, next: stepIdSchema }))
    .min(1)
    .max(20),
  else: stepIdSchema.optional().describe("Where to go when no branch matches; default: the next step"),
});

export const branchStepDocs =
  "Goes to the first branch whose condition holds (answers, contact fields and tags, time of day), else to `else`.";
