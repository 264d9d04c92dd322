import { z } from "zod";
import { timezoneSchema } from "../contact/contactSchema.ts";
import { audienceSchema } from "./audienceSchema.ts";
import { durationSchema, liquidSchema } from "./stepBase.ts";

const keywordSchema = z.strictObject({
  match: z.enum(["exact", "contains", "regex"]).default("exact"),
  value: z.string().min(1).max(200),
});

/** Exactly one per workflow: what starts a run, and for whom. */
export const triggerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("webhook"),
    contact: z.strictObject({
      phone: liquidSchema.min(1),
      name: liquidSchema.optional(),
      fields: z.record(z.string(), liquidSchema).optional(),
    }),
    dedupe_key: liquidSchema.optional().describe("Same rendered key = same run"),
    secret: z.string().min(16).max(200).optional().describe("HMAC-SHA256 secret for the public /hooks URL"),
  }),
  z.strictObject({ type: z.literal("conversation_opened"), channel: z.string().max(200).optional() }),
  z.strictObject({
    type: z.literal("conversation_closed"),
    categories: z.array(z.string().min(1).max(200)).max(50).optional().describe("Only closes under these"),
  }),
  z.strictObject({
    type: z.literal("inbound_message"),
    keywords: z.array(keywordSchema).max(50).optional().describe("Any may match; none given = every message"),
    when: z.enum(["no_open_conversation", "always"]).default("no_open_conversation"),
  }),
  z.strictObject({
    type: z.literal("contact_updated"),
    fields: z.array(z.string().min(1).max(100)).max(50).optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).optional().describe("Fires when the contact gains one"),
  }),
  z.strictObject({
    type: z.literal("schedule"),
    cron: z.string().min(1).max(100),
    timezone: timezoneSchema.default("UTC"),
    audience: audienceSchema.default({}),
  }),
  z.strictObject({
    type: z.literal("date_field"),
    field: z.string().min(1).max(100),
    offset: durationSchema.default("PT0S").describe("Negative runs before the date: -PT24H"),
  }),
  z.strictObject({ type: z.literal("manual"), audience: audienceSchema.optional() }),
]);
export type Trigger = z.infer<typeof triggerSchema>;
export type TriggerType = Trigger["type"];
