import { z } from "zod";
import { assigneeSchema } from "../../conversation/conversationSchema.ts";
import { liquidSchema, stepBase, templateRefSchema } from "../stepBase.ts";

export const openConversationStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("open_conversation"),
  channel: z
    .string()
    .max(200)
    .optional()
    .describe("Channel id or name; default: the workspace's first channel"),
  assign: assigneeSchema.optional(),
  message: z
    .strictObject({
      text: liquidSchema.optional().describe("Sent when the 24-hour window is open"),
      template: templateRefSchema.optional().describe("Sent when the window is closed"),
    })
    .optional(),
});

export const openConversationStepDocs =
  "Opens the contact's conversation on a number (reopening their last closed one, or returning the open one), " +
  "assigns the bot or an agent, and can send a first message: the text inside the 24-hour window, the template " +
  "outside it. Business-initiated opens obey opt-out, the frequency cap and quiet hours.";
