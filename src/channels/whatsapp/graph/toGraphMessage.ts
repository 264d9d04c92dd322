import type { GraphSendMessage } from "./graphMessageSchema.ts";
import type { OutboundMessage } from "./outboundMessageSchema.ts";

/**
 * Turns an API message into the Cloud API request body for one recipient.
 * @example toGraphMessage("+14155550123", { text: "Hi" }) // { messaging_product: "whatsapp", to: "14155550123", type: "text", … }
 */
export function toGraphMessage(toE164: string, m: OutboundMessage): GraphSendMessage {
  const base = {
    messaging_product: "whatsapp" as const,
    recipient_type: "individual" as const,
    to: toE164.replace(/^\+/, ""),
    ...(m.reply_to ? { context: { message_id: m.reply_to } } : {}),
  };
  if (m.template) {
    const t = m.template;
    const components: NonNullable<Extract<GraphSendMessage, { type: "template" }>["template"]["components"]> =
      [];
    if (t.header) {
      components.push({
        type: "header",
        parameters: [
          t.header.type === "text"
            ? { type: "text", text: t.header.text }
            : { type: t.header.type, [t.header.type]: { link: t.header.link } },
        ],
      });
    }
    if (t.body?.length) {
      components.push({
        type: "body",
        parameters: t.body.map((p) =>
          typeof p === "string"
            ? { type: "text", text: p }
            : { type: "text", text: p.value, parameter_name: p.name },
        ),
      });
    }
    for (const b of t.buttons ?? []) {
      components.push({
        type: "button",
        sub_type: b.sub_type,
        index: String(b.index),
        parameters: [
          b.sub_type === "quick_reply"
            ? { type: "payload", payload: b.parameter }
            : { type: "text", text: b.parameter },
        ],
      });
    }
    return {
      ...base,
      type: "template",
      template: {
        name: t.name,
        language: { code: t.language, policy: "deterministic" },
        ...(components.length ? { components } : {}),
      },
    };
  }
  if (m.interactive) {
    const i = m.interactive;
    const common = {
      ...(i.header ? { header: { type: "text" as const, text: i.header } } : {}),
      body: { text: i.body },
      ...(i.footer ? { footer: { text: i.footer } } : {}),
    };
    if (i.type === "button") {
      return {
        ...base,
        type: "interactive",
        interactive: {
          type: "button",
          ...common,
          action: {
            buttons: i.buttons.map((b) => ({ type: "reply" as const, reply: { id: b.id, title: b.title } })),
          },
        },
      };
    }
    return {
      ...base,
      type: "interactive",
      interactive: { type: "list", ...common, action: { button: i.button, sections: i.sections } },
    };
  }
  if (m.image)
    return {
      ...base,
      type: "image",
      image: { link: m.image.link, ...(m.image.caption ? { caption: m.image.caption } : {}) },
    };
  if (m.document) {
    const d = m.document;
    return {
      ...base,
      type: "document",
      document: {
        link: d.link,
        ...(d.caption ? { caption: d.caption } : {}),
        ...(d.filename ? { filename: d.filename } : {}),
      },
    };
  }
  return { ...base, type: "text", text: { body: m.text ?? "", preview_url: m.preview_url ?? false } };
}

/** The mark-as-read request for an inbound message. */
export function toGraphMarkRead(waMessageId: string) {
  return { messaging_product: "whatsapp" as const, status: "read" as const, message_id: waMessageId };
}
