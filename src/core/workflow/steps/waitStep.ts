import { z } from "zod";
import { liquidSchema, stepBase, waitDurationSchema } from "../stepBase.ts";

export const waitStepSchema = z
  .strictObject({
    ...stepBase,
    type: z.literal("wait"),
    duration: waitDurationSchema.optional(),
    until: liquidSchema
      .optional()
      .describe("A time computed from data, e.g. {{ contact.fields.appointment_at }}"),
  })
  .refine((s) => (s.duration === undefined) !== (s.until === undefined), {
    message: "give exactly one of duration or until",
    path: ["duration"],
  });

export const waitStepDocs = "Pauses the run for a duration, or until a time computed from the run's data.";
