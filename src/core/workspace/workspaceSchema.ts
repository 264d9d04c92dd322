import { z } from "zod";
import { timezoneSchema } from "../contact/contactSchema.ts";
import { closingPolicySchema } from "../conversation/conversationSchema.ts";

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour");

/** Each setting's rule, without its default (a patch must leave out what it doesn't change). */
const settingFields = {
  opt_out_keywords: z.array(z.string().min(1).max(40)).max(50),
  opt_in_keywords: z.array(z.string().min(1).max(40)).max(50),
  opt_out_confirmation: z.string().max(1024),
  opt_in_confirmation: z.string().max(1024),
  /** Workflow guardrails: business-initiated opens per contact per rolling 24 h (null = no cap). */
  frequency_cap: z.number().int().min(0).max(1000).nullable(),
  /** Business-initiated opens and sends wait out these hours in the contact's time zone (else `timezone`). */
  quiet_hours: z.strictObject({ start: clock, end: clock }).nullable(),
  timezone: timezoneSchema,
  /** Meta's messaging limit: unique contacts a number may start conversations with per rolling 24 h (null = none). */
  messaging_limit: z.union([z.literal(250), z.literal(2000), z.literal(10000), z.literal(100000)]).nullable(),
  /** Closes conversations with no message for this long, with this category and summary. */
  auto_close: z
    .strictObject({
      after_hours: z
        .number()
        .min(0.5)
        .max(24 * 14),
      category: z.string().min(1).max(200).optional(),
      summary: z.string().max(2000).optional(),
    })
    .nullable(),
};

/** Settings that live in the workspace's JSON column; defaults fill anything left out. */
export const workspaceSettingsSchema = z.object({
  opt_out_keywords: settingFields.opt_out_keywords.default(["STOP", "UNSUBSCRIBE"]),
  opt_in_keywords: settingFields.opt_in_keywords.default(["START"]),
  opt_out_confirmation: settingFields.opt_out_confirmation.default(
    "You have been unsubscribed and will not receive further messages. Reply START to resubscribe.",
  ),
  opt_in_confirmation: settingFields.opt_in_confirmation.default(
    "You are subscribed again. Reply STOP to unsubscribe.",
  ),
  frequency_cap: settingFields.frequency_cap.default(3),
  quiet_hours: settingFields.quiet_hours.default(null),
  timezone: settingFields.timezone.default("UTC"),
  messaging_limit: settingFields.messaging_limit.default(null),
  auto_close: settingFields.auto_close.default(null),
});
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;

export const DEFAULT_BRAND = "Parley";

export const DEFAULT_CATEGORIES = [
  { key: "general-inquiry", name: "General Inquiry", description: "Non-specific questions or basic chats." },
  { key: "sales", name: "Sales", description: "Orders, pricing and new leads." },
  { key: "support", name: "Support", description: "Issue resolution and complaint handling." },
] as const;

export const workspacePatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  brand_name: z.string().trim().min(1).max(100).optional(),
  closing_notes: closingPolicySchema.partial().optional(),
  // Not workspaceSettingsSchema.partial(): zod fills defaults even into optional fields, so every setting left
  // out of a patch would be reset.
  settings: z.strictObject(settingFields).partial().optional(),
});
export type WorkspacePatch = z.infer<typeof workspacePatchSchema>;
