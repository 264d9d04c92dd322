import { z } from "zod";
import { liquidSchema, stepBase } from "../stepBase.ts";

export const closeConversationStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("close_conversation"),
  category: z.string().min(1).max(200).optional().describe("Category key or name"),
  summary: liquidSchema.optional(),
});

export const closeConversationStepDocs =
  "Closes the run's conversation with a category and a (Liquid) summary, exactly as an agent would.";
