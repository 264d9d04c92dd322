import { z } from "zod";
import { liquidSchema, stepBase } from "../stepBase.ts";

export const addCommentStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("add_comment"),
  text: liquidSchema.min(1),
});

export const addCommentStepDocs = "Adds an internal note to the conversation; the contact never sees it.";
