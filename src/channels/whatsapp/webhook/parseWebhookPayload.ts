import type { z } from "zod";
import type { WebhookError, WebhookEvent, WebhookMessageEvent } from "./webhookEvent.ts";
import {
  messagesValueSchema,
  templateCategoryValueSchema,
  templateStatusValueSchema,
  type webhookErrorSchema,
  type webhookMessageSchema,
  webhookPayloadSchema,
} from "./webhookPayloadSchema.ts";

export type ParsedWebhook = { ok: true; events: WebhookEvent[] } | { ok: false; issues: string[] };

/** Seconds (as Meta sends them, usually a string) → epoch ms; unreadable values become 0. */
const toMs = (t: string | number | undefined): number => {
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : 0;
};

const toError = (e: z.infer<typeof webhookErrorSchema>): WebhookError => ({
  code: e.code,
  title: e.title,
  message: e.message,
  details: e.error_data?.details,
});

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? { ...v } : {};
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The message's payload, normalized per type so the rest of Parley needn't know Meta's nesting. */
function contentOf(m: z.infer<typeof webhookMessageSchema>): Record<string, unknown> {
  const body = obj(m[m.type]);
  switch (m.type) {
    case "text":
      return { text: str(body.body) ?? "" };
    case "button":
      return { payload: str(body.payload), text: str(body.text) };
    case "interactive": {
      const kind = str(body.type) ?? "unknown";
      const reply = obj(body[kind]);
      return {
        reply: {
          kind,
          id: str(reply.id),
          title: str(reply.title),
          description: str(reply.description),
          ...(kind === "nfm_reply" ? { response_json: reply.response_json } : {}),
        },
      };
    }
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker":
      return {
        mediaId: str(body.id),
        mimeType: str(body.mime_type),
        sha256: str(body.sha256),
        caption: str(body.caption),
        filename: str(body.filename),
        url: str(body.url),
        voice: body.voice === true ? true : undefined,
      };
    case "reaction":
      return { messageId: str(body.message_id), emoji: str(body.emoji) || null };
    case "location":
      return {
        latitude: body.latitude,
        longitude: body.longitude,
        name: str(body.name),
        address: str(body.address),
        url: str(body.url),
      };
    case "unsupported":
      return { errors: (m.errors ?? []).map(toError), detail: body };
    default:
      return body;
  }
}

/**
 * Validates a webhook delivery and flattens it into events. Never throws: a delivery that is not a WhatsApp
 * Business webhook comes back as `{ ok: false, issues }`. Fields Parley doesn't handle become `unknown` events.
 */
export function parseWebhookPayload(body: unknown): ParsedWebhook {
  const parsed = webhookPayloadSchema.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`),
    };
  const events: WebhookEvent[] = [];
  for (const entry of parsed.data.entry) {
    const wabaId = entry.id;
    for (const change of entry.changes) {
      if (change.field === "messages" || change.field === "user_preferences") {
        const v = messagesValueSchema.safeParse(change.value);
        if (!v.success)
          return {
            ok: false,
            issues: v.error.issues.map((i) => `${change.field}.${i.path.join(".")}: ${i.message}`),
          };
        const value = v.data;
        const phoneNumberId = value.metadata.phone_number_id;
        const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
        for (const m of value.messages ?? []) {
          const waId = m.from ?? "";
          const event: WebhookMessageEvent = {
            kind: "message",
            phoneNumberId,
            wabaId,
            waId,
            profileName:
              names.get(waId) ??
              (value.contacts?.length === 1 ? value.contacts[0]?.profile?.name : undefined),
            waMessageId: m.id,
            timestamp: toMs(m.timestamp),
            type: m.type,
            content: contentOf(m),
            contextMessageId: m.context?.id,
            errors: m.errors?.map(toError),
          };
          events.push(event);
        }
        for (const s of value.statuses ?? []) {
          const expires = toMs(s.conversation?.expiration_timestamp);
          events.push({
            kind: "status",
            phoneNumberId,
            wabaId,
            waMessageId: s.id,
            status: s.status,
            timestamp: toMs(s.timestamp),
            recipientId: s.recipient_id,
            errors: s.errors?.map(toError),
            pricingCategory: s.pricing?.category,
            conversationExpiresAt: expires || undefined,
            bizOpaqueCallbackData: s.biz_opaque_callback_data,
          });
        }
        for (const p of value.user_preferences ?? []) {
          events.push({
            kind: "user_preference",
            wabaId,
            phoneNumberId,
            waId: p.wa_id,
            category: p.category,
            value: p.value,
            timestamp: toMs(p.timestamp),
          });
        }
        if (value.errors?.length)
          events.push({ kind: "error", wabaId, phoneNumberId, errors: value.errors.map(toError) });
        continue;
      }
      if (change.field === "message_template_status_update") {
        const v = templateStatusValueSchema.safeParse(change.value);
        if (v.success) {
          events.push({
            kind: "template_status",
            wabaId,
            templateId:
              v.data.message_template_id === undefined ? undefined : String(v.data.message_template_id),
            templateName: v.data.message_template_name,
            language: v.data.message_template_language,
            event: v.data.event,
            reason: v.data.reason ?? undefined,
          });
          continue;
        }
      }
      if (change.field === "template_category_update") {
        const v = templateCategoryValueSchema.safeParse(change.value);
        if (v.success) {
          events.push({
            kind: "template_category",
            wabaId,
            templateId:
              v.data.message_template_id === undefined ? undefined : String(v.data.message_template_id),
            templateName: v.data.message_template_name,
            language: v.data.message_template_language,
            previousCategory: v.data.previous_category,
            newCategory: v.data.new_category,
          });
          continue;
        }
      }
      events.push({ kind: "unknown", wabaId, field: change.field, value: change.value });
    }
  }
  return { ok: true, events };
}
