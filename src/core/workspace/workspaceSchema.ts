import { z } from "zod";
import { closingPolicySchema } from "../conversation/conversationSchema.ts";

/** Settings that live in the workspace's JSON column; defaults fill anything left out. */
export const workspaceSettingsSchema = z.object({
  opt_out_keywords: z.array(z.string().min(1).max(40)).max(50).default(["STOP", "UNSUBSCRIBE"]),
  opt_in_keywords: z.array(z.string().min(1).max(40)).max(50).default(["START"]),
  opt_out_confirmation: z
    .string()
    .max(1024)
    .default("You have been unsubscribed and will not receive further messages. Reply START to resubscribe."),
  opt_in_confirmation: z.string().max(1024).default("You are subscribed again. Reply STOP to unsubscribe."),
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
  settings: workspaceSettingsSchema.partial().strict().optional(),
});
export type WorkspacePatch = z.infer<typeof workspacePatchSchema>;
