import { z } from "zod";
import { durationSchema, liquidSchema, stepBase } from "../stepBase.ts";

export const waitStepSchema = z
  .strictObject({
    ...stepBase,
    type: z.literal("wait"),
    duration: durationSchema.optional(),
    until: liquidSchema
      .optional()
      .describe("A time computed from data, e.g. {{ contact.fields.appointment_at }}"),
  })
  .refine((s) => (s.duration === undefined) !== (s.until === undefined), {
    message: "give exactly one of duration or until",
    path: ["duration"],
  });

export const waitStepDocs = "Pauses the run for a duration, or until a time computed from the run's data.";
