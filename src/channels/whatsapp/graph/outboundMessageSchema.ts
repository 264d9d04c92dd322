import { z } from "zod";
import { checkListSections } from "./checkListSections.ts";
import { uniqueBy } from "./uniqueBy.ts";
import { LIMITS as L } from "./whatsappLimits.ts";

// Meta downloads media from the link; plain http would leak the file in transit.
const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https URL" }).max(2000);
const headerText = z.string().trim().min(1).max(L.headerFooter);

const templateParam = z.union([
  z.string().min(1).max(L.templateParam),
  z.strictObject({
    name: z.string().regex(/^[a-z0-9_]+$/, "named parameters are lowercase_with_underscores"),
    value: z.string().max(L.templateParam),
  }),
]);

export const outboundTemplateSchema = z.strictObject({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  body: z
    .array(templateParam)
    .max(100)
    .optional()
    .describe("Body parameters in order, or named {name, value} pairs"),
  header: z
    .union([
      z.strictObject({ type: z.literal("text"), text: headerText }),
      z.strictObject({ type: z.enum(["image", "document", "video"]), link: httpsUrl }),
    ])
    .optional(),
  buttons: z
    .array(
      z.strictObject({
        index: z.number().int().min(0).max(9),
        sub_type: z.enum(["quick_reply", "url"]),
        parameter: z.string().min(1).max(L.templateParam),
      }),
    )
    .max(10)
    .optional(),
});

const replyButton = z.strictObject({
  id: z.string().trim().min(1).max(L.buttonId),
  title: z.string().trim().min(1).max(L.buttonTitle),
});
const listRow = z.strictObject({
  id: z.string().trim().min(1).max(L.rowId),
  title: z.string().trim().min(1).max(L.rowTitle),
  description: z.string().max(L.rowDescription).optional(),
});

export const outboundInteractiveSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("button"),
    header: headerText.optional(),
    body: z.string().trim().min(1).max(L.interactiveBody),
    footer: headerText.optional(),
    buttons: z
      .array(replyButton)
      .min(L.buttonsMin)
      .max(L.buttonsMax)
      .superRefine(uniqueBy((b) => b.id, "button id"))
      .superRefine(uniqueBy((b) => b.title, "button title")),
  }),
  z.strictObject({
    type: z.literal("list"),
    header: headerText.optional(),
    body: z.string().trim().min(1).max(L.interactiveBody),
    footer: headerText.optional(),
    button: z.string().trim().min(1).max(L.listButton),
    sections: z
      .array(
        z.strictObject({
          title: z.string().trim().min(1).max(L.sectionTitle).optional(),
          rows: z.array(listRow).min(1).max(L.listRows),
        }),
      )
      .min(1)
      .max(L.listSections)
      .superRefine(checkListSections),
  }),
]);

const media = z.strictObject({ link: httpsUrl, caption: z.string().max(L.caption).optional() });

const KINDS = ["text", "template", "interactive", "image", "document"] as const;

/**
 * What the API accepts as one outbound message: exactly one of text, template, interactive, image or document.
 * One object (not a union) so that every validation error names its field, e.g. `interactive.buttons[3]`.
 * @example {"text": "Hi Riya, your order is ready"}
 */
export const outboundMessageSchema = z
  .strictObject({
    text: z.string().trim().min(1).max(L.textBody).optional(),
    preview_url: z.boolean().optional(),
    template: outboundTemplateSchema.optional(),
    interactive: outboundInteractiveSchema.optional(),
    image: media.optional(),
    document: media.extend({ filename: z.string().max(240).optional() }).optional(),
    reply_to: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("WhatsApp id of the message this one replies to"),
  })
  .superRefine((m, ctx) => {
    const given = KINDS.filter((k) => m[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: given.length ? [given[1] ?? given[0]!] : [],
        message: given.length
          ? `give only one of ${KINDS.join(", ")} (got ${given.join(", ")})`
          : `give one of ${KINDS.join(", ")}`,
      });
    }
  });
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;
export type OutboundTemplate = z.infer<typeof outboundTemplateSchema>;
export type OutboundKind = (typeof KINDS)[number];

/** Which kind of message this is (the schema guarantees exactly one). */
export function outboundKind(m: OutboundMessage): OutboundKind {
  return KINDS.find((k) => m[k] !== undefined) ?? "text";
}
