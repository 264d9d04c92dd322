import { z } from "zod";
import { stepBase, stepIdSchema } from "../stepBase.ts";

export const jumpToStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("jump_to"),
  target: stepIdSchema,
});

export const jumpToStepDocs = "Continues at another step. A loop must contain a wait or a question.";
