import { z } from "zod";

// Meta adds fields over time (user_id, parent_user_id, group …): every object here is loose, so unknown fields
// pass through, while the ids and types we route on are required.

export const webhookErrorSchema = z.looseObject({
  code: z.coerce.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

const timestamp = z.union([z.string(), z.number()]);

export const webhookMessageSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string(),
  timestamp,
  type: z.string(),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  errors: z.array(webhookErrorSchema).optional(),
});

export const webhookStatusSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  timestamp,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(webhookErrorSchema).optional(),
  conversation: z.looseObject({ expiration_timestamp: timestamp.optional() }).optional(),
  pricing: z.looseObject({ category: z.string().optional() }).optional(),
});

export const messagesValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: z.string() }),
  contacts: z
    .array(
      z.looseObject({
        wa_id: z.string().optional(),
        profile: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  messages: z.array(webhookMessageSchema).optional(),
  statuses: z.array(webhookStatusSchema).optional(),
  errors: z.array(webhookErrorSchema).optional(),
  user_preferences: z
    .array(
      z.looseObject({
        wa_id: z.string(),
        category: z.string(),
        value: z.string(),
        timestamp: timestamp.optional(),
      }),
    )
    .optional(),
});

export const templateStatusValueSchema = z.looseObject({
  event: z.string(),
  message_template_id: z.union([z.string(), z.number()]).optional(),
  message_template_name: z.string(),
  message_template_language: z.string().optional(),
  reason: z.string().nullable().optional(),
});

export const templateCategoryValueSchema = z.looseObject({
  message_template_id: z.union([z.string(), z.number()]).optional(),
  message_template_name: z.string(),
  message_template_language: z.string().optional(),
  previous_category: z.string().optional(),
  new_category: z.string(),
});

export const webhookPayloadSchema = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z
    .array(
      z.looseObject({
        id: z.string(),
        changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
      }),
    )
    .min(1),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
