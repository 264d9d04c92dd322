import { z } from "zod";
import {
  buttonsSchema,
  liquidSchema,
  positiveDurationSchema,
  stepBase,
  stepIdSchema,
  templateRefSchema,
} from "../stepBase.ts";

export const askQuestionStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("ask_question"),
  text: liquidSchema
    .optional()
    .describe("The question; leave out to wait for the reply to the previous message"),
  buttons: buttonsSchema.optional(),
  template: templateRefSchema.optional().describe("Asked instead when the 24-hour window is closed"),
  save_as: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a variable name")
    .optional()
    .describe("Saves the answer ({id, title, text}) under this name"),
  save_to_field: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe("Also stores the answer's text in this contact field"),
  timeout: positiveDurationSchema.optional(),
  on_timeout: stepIdSchema
    .optional()
    .describe("Step to go to when no answer came in time; default: the next step"),
});

export const askQuestionStepDocs =
  "Asks the contact a question (buttons or free text) and waits for their next message in the conversation, " +
  "saving the answer. With a timeout, the run goes on at `on_timeout` when no answer arrives in time.";
