import { z } from "zod";
import { assigneeSchema } from "../../conversation/conversationSchema.ts";
import { stepBase } from "../stepBase.ts";

export const assignStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("assign"),
  to: assigneeSchema,
});

export const assignStepDocs = "Assigns the run's conversation to the bot, an agent, or nobody.";
