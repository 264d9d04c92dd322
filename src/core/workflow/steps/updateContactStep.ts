import { z } from "zod";
import { liquidSchema, stepBase } from "../stepBase.ts";

export const updateContactStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("update_contact"),
  name: liquidSchema.optional(),
  fields: z
    .record(z.string().min(1).max(100), liquidSchema.nullable())
    .optional()
    .describe("null removes a field"),
  add_tags: z.array(z.string().min(1).max(64)).max(20).optional(),
  remove_tags: z.array(z.string().min(1).max(64)).max(20).optional(),
});

export const updateContactStepDocs =
  "Sets or removes contact fields, renames the contact, adds or removes tags.";
