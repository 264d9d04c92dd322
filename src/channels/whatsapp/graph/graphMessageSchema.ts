import { z } from "zod";
import { LIMITS as L } from "./whatsappLimits.ts";

const mediaObject = z
  .object({
    id: z.string().optional(),
    link: z.string().optional(),
    caption: z.string().max(L.caption).optional(),
    filename: z.string().optional(),
  })
  .refine((m) => Boolean(m.id) !== Boolean(m.link), { message: "give exactly one of id or link" });

const templateParameter = z.object({
  type: z.enum(["text", "currency", "date_time", "image", "document", "video", "payload"]),
  text: z.string().max(L.templateParam).optional(),
  parameter_name: z.string().optional(),
  payload: z.string().optional(),
  currency: z.object({ fallback_value: z.string(), code: z.string(), amount_1000: z.number() }).optional(),
  date_time: z.object({ fallback_value: z.string() }).optional(),
  image: z.object({ link: z.string().optional(), id: z.string().optional() }).optional(),
  document: z
    .object({ link: z.string().optional(), id: z.string().optional(), filename: z.string().optional() })
    .optional(),
  video: z.object({ link: z.string().optional(), id: z.string().optional() }).optional(),
});

const header = z.object({
  type: z.enum(["text", "image", "video", "document"]),
  text: z.string().max(L.headerFooter).optional(),
});
const body = z.object({ text: z.string().min(1).max(L.interactiveBody) });
const footer = z.object({ text: z.string().max(L.headerFooter) });

const common = {
  messaging_product: z.literal("whatsapp"),
  recipient_type: z.enum(["individual", "group"]).optional(),
  to: z.string().min(1),
  context: z.object({ message_id: z.string() }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
};

/** The Cloud API `POST /{phone-number-id}/messages` body, with Meta's documented limits. */
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
      name: z.string().min(1),
      language: z.object({ code: z.string().min(2), policy: z.literal("deterministic").optional() }),
      components: z
        .array(
          z.object({
            type: z.enum(["header", "body", "button"]),
            sub_type: z.enum(["quick_reply", "url", "copy_code", "flow"]).optional(),
            index: z.union([z.string(), z.number()]).optional(),
            parameters: z.array(templateParameter),
          }),
        )
        .optional(),
    }),
  }),
  z.object({
    ...common,
    type: z.literal("interactive"),
    interactive: z.discriminatedUnion("type", [
      z.object({
        type: z.literal("button"),
        header: header.optional(),
        body,
        footer: footer.optional(),
        action: z.object({
          buttons: z
            .array(
              z.object({
                type: z.literal("reply"),
                reply: z.object({
                  id: z.string().min(1).max(L.buttonId),
                  title: z.string().min(1).max(L.buttonTitle),
                }),
              }),
            )
            .min(L.buttonsMin)
            .max(L.buttonsMax),
        }),
      }),
      z.object({
        type: z.literal("list"),
        header: header.optional(),
        body,
        footer: footer.optional(),
        action: z.object({
          button: z.string().min(1).max(L.listButton),
          sections: z
            .array(
              z.object({
                title: z.string().max(L.sectionTitle).optional(),
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
              }),
            )
            .min(1)
            .max(L.listSections),
        }),
      }),
    ]),
  }),
  z.object({ ...common, type: z.literal("image"), image: mediaObject }),
  z.object({ ...common, type: z.literal("document"), document: mediaObject }),
  z.object({ ...common, type: z.literal("video"), video: mediaObject }),
  z.object({ ...common, type: z.literal("audio"), audio: mediaObject }),
  z.object({ ...common, type: z.literal("sticker"), sticker: mediaObject }),
  z.object({
    ...common,
    type: z.literal("reaction"),
    reaction: z.object({ message_id: z.string(), emoji: z.string() }),
  }),
  z.object({
    ...common,
    type: z.literal("location"),
    location: z.object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
]);
export type GraphSendMessage = z.infer<typeof graphSendMessageSchema>;

/** Mark-as-read (optionally with a typing indicator). */
export const graphMarkReadSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  status: z.literal("read"),
  message_id: z.string().min(1),
  typing_indicator: z.object({ type: z.literal("text") }).optional(),
});
