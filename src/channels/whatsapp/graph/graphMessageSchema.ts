import { z } from "zod";
import { checkListSections } from "./checkListSections.ts";
import { uniqueBy } from "./uniqueBy.ts";
import { LIMITS as L } from "./whatsappLimits.ts";

// Meta fetches media itself and accepts only http(s) links.
const mediaLink = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const mediaSource = { id: z.string().min(1).optional(), link: mediaLink.optional() };

/** Meta wants exactly one of a media id (uploaded) or a link (fetched); both or neither is a 100/131009. */
function oneSource(m: { id?: string | undefined; link?: string | undefined }, ctx: z.RefinementCtx) {
  if (Boolean(m.id) !== Boolean(m.link)) return;
  ctx.addIssue({ code: "custom", path: m.id ? ["link"] : [], message: "give exactly one of id or link" });
}

/** Asks that the sub-object named by `type` is present, e.g. `{type: "image", image: {…}}`. */
function namedByType<K extends string>(o: { type: K } & Partial<Record<K, unknown>>, ctx: z.RefinementCtx) {
  if (o[o.type] === undefined) {
    ctx.addIssue({ code: "custom", path: [o.type], message: `type "${o.type}" needs a "${o.type}" field` });
  }
}

const captioned = z.object({ ...mediaSource, caption: z.string().max(L.caption).optional() });
const imageMedia = captioned.superRefine(oneSource);
const videoMedia = captioned.superRefine(oneSource);
const documentMedia = captioned.extend({ filename: z.string().min(1).optional() }).superRefine(oneSource);
const bareMedia = z.object(mediaSource).superRefine(oneSource);

const templateParameter = z
  .object({
    type: z.enum(["text", "currency", "date_time", "image", "document", "video", "payload"]),
    text: z.string().min(1).max(L.templateParam).optional(),
    // Named templates ({{first_name}}) carry the placeholder name next to each text value.
    parameter_name: z
      .string()
      .regex(/^[a-z0-9_]+$/, "lowercase letters, digits and underscores")
      .optional(),
    payload: z.string().min(1).optional(),
    currency: z
      .object({ fallback_value: z.string(), code: z.string().length(3), amount_1000: z.number().int() })
      .optional(),
    date_time: z.object({ fallback_value: z.string() }).optional(),
    image: bareMedia.optional(),
    document: z
      .object({ ...mediaSource, filename: z.string().optional() })
      .superRefine(oneSource)
      .optional(),
    video: bareMedia.optional(),
  })
  .superRefine(namedByType);

const templateComponent = z
  .object({
    type: z.enum(["header", "body", "button"]),
    sub_type: z.enum(["quick_reply", "url", "copy_code", "flow"]).optional(),
    index: z.union([z.string().regex(/^\d+$/, "a button position"), z.number().int().min(0)]).optional(),
    parameters: z.array(templateParameter),
  })
  .superRefine((c, ctx) => {
    if (c.type !== "button") return;
    for (const k of ["sub_type", "index"] as const) {
      if (c[k] === undefined)
        ctx.addIssue({ code: "custom", path: [k], message: `a button component needs ${k}` });
    }
  });

const interactiveHeader = z
  .object({
    type: z.enum(["text", "image", "video", "document"]),
    text: z.string().min(1).max(L.headerFooter).optional(),
    image: bareMedia.optional(),
    video: bareMedia.optional(),
    document: z
      .object({ ...mediaSource, filename: z.string().optional() })
      .superRefine(oneSource)
      .optional(),
  })
  .superRefine(namedByType);
const interactiveBody = z.object({ text: z.string().min(1).max(L.interactiveBody) });
const interactiveFooter = z.object({ text: z.string().min(1).max(L.headerFooter) });

const replyButton = z.object({
  type: z.literal("reply"),
  reply: z.object({
    id: z.string().min(1).max(L.buttonId),
    title: z.string().min(1).max(L.buttonTitle),
  }),
});
type ReplyButton = z.infer<typeof replyButton>;

const listSection = z.object({
  title: z.string().min(1).max(L.sectionTitle).optional(),
  rows: z
    .array(
      z.object({
        id: z.string().min(1).max(L.rowId),
        title: z.string().min(1).max(L.rowTitle),
        description: z.string().max(L.rowDescription).optional(),
      }),
    )
    .min(1)
    .max(L.listRows),
});

const DECIMAL = /^-?\d{1,3}(\.\d+)?$/;

const common = {
  messaging_product: z.literal("whatsapp"),
  recipient_type: z.enum(["individual", "group"]).optional(),
  to: z.string().min(1),
  context: z.object({ message_id: z.string().min(1) }).optional(),
  // Echoed back in status webhooks; Parley puts its own message id here.
  biz_opaque_callback_data: z.string().max(L.bizOpaqueCallbackData).optional(),
};

/**
 * The Cloud API `POST /{phone-number-id}/messages` body as Meta accepts it, with Meta's documented limits. Issues
 * carry the path of the offending field (e.g. `interactive.action.buttons.3.reply.title`) so the simulator can
 * answer with a precise 131009.
 */
export const graphSendMessageSchema = z.discriminatedUnion("type", [
  z.object({
    ...common,
    type: z.literal("text"),
    text: z.object({ body: z.string().min(1).max(L.textBody), preview_url: z.boolean().optional() }),
  }),
  z.object({
    ...common,
    type: z.literal("template"),
    template: z.object({
      name: z.string().min(1).max(512),
      language: z.object({ code: z.string().min(2), policy: z.literal("deterministic").optional() }),
      components: z.array(templateComponent).optional(),
    }),
  }),
  z.object({
    ...common,
    type: z.literal("interactive"),
    interactive: z.discriminatedUnion("type", [
      z.object({
        type: z.literal("button"),
        header: interactiveHeader.optional(),
        body: interactiveBody,
        footer: interactiveFooter.optional(),
        action: z.object({
          buttons: z
            .array(replyButton)
            .min(L.buttonsMin)
            .max(L.buttonsMax)
            .superRefine(uniqueBy<ReplyButton>((b) => b.reply.id, "button id"))
            .superRefine(uniqueBy<ReplyButton>((b) => b.reply.title, "button title")),
        }),
      }),
      z.object({
        type: z.literal("list"),
        header: interactiveHeader.optional(),
        body: interactiveBody,
        footer: interactiveFooter.optional(),
        action: z.object({
          button: z.string().min(1).max(L.listButton),
          sections: z.array(listSection).min(1).max(L.listSections).superRefine(checkListSections),
        }),
      }),
    ]),
  }),
  z.object({ ...common, type: z.literal("image"), image: imageMedia }),
  z.object({ ...common, type: z.literal("document"), document: documentMedia }),
  z.object({ ...common, type: z.literal("video"), video: videoMedia }),
  z.object({ ...common, type: z.literal("audio"), audio: bareMedia }),
  z.object({ ...common, type: z.literal("sticker"), sticker: bareMedia }),
  z.object({
    ...common,
    type: z.literal("reaction"),
    // An empty emoji removes an earlier reaction.
    reaction: z.object({ message_id: z.string().min(1), emoji: z.string() }),
  }),
  z.object({
    ...common,
    type: z.literal("location"),
    location: z.object({
      // Meta's document types coordinates as strings while its examples use numbers; the API takes both.
      latitude: z.union([z.number().min(-90).max(90), z.string().regex(DECIMAL)]),
      longitude: z.union([z.number().min(-180).max(180), z.string().regex(DECIMAL)]),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
]);
export type GraphSendMessage = z.infer<typeof graphSendMessageSchema>;
export type GraphTemplateComponent = z.infer<typeof templateComponent>;
export type GraphTemplateParameter = z.infer<typeof templateParameter>;

/** Mark-as-read (optionally showing a typing indicator while a reply is prepared). */
export const graphMarkReadSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  status: z.literal("read"),
  message_id: z.string().min(1),
  typing_indicator: z.object({ type: z.literal("text") }).optional(),
});
export type GraphMarkRead = z.infer<typeof graphMarkReadSchema>;
