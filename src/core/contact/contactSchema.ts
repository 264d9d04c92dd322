import { z } from "zod";

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const tagSchema = z.string().trim().min(1).max(64);
export const timezoneSchema = z
  .string()
  .refine(isTimeZone, { message: "must be an IANA time zone such as Europe/Berlin" });
/** Custom contact fields: a flat JSON object; `null` removes a field on update. */
export const contactFieldsSchema = z.record(z.string().min(1).max(100), z.unknown());

export const contactInputSchema = z.strictObject({
  phone: z.string().min(1).max(40),
  name: z.string().trim().max(200).nullable().optional(),
  fields: contactFieldsSchema.optional(),
  tags: z.array(tagSchema).max(100).optional(),
  timezone: timezoneSchema.nullable().optional(),
  opted_out: z.boolean().optional(),
});
export type ContactInput = z.infer<typeof contactInputSchema>;

export const contactPatchSchema = contactInputSchema.omit({ phone: true }).extend({
  phone: z.string().min(1).max(40).optional(),
  marketing_opt_out: z.boolean().optional(),
});
export type ContactPatch = z.infer<typeof contactPatchSchema>;
