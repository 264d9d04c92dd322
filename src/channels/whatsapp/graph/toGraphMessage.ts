import type {
  GraphMarkRead,
  GraphSendMessage,
  GraphTemplateComponent,
  GraphTemplateParameter,
} from "./graphMessageSchema.ts";
import type { OutboundMessage, OutboundTemplate } from "./outboundMessageSchema.ts";

type TemplateHeader = NonNullable<OutboundTemplate["header"]>;

function headerParameter(h: TemplateHeader): GraphTemplateParameter {
  switch (h.type) {
    case "text":
      return { type: "text", text: h.text };
    case "image":
      return { type: "image", image: { link: h.link } };
    case "video":
      return { type: "video", video: { link: h.link } };
    case "document":
      return { type: "document", document: { link: h.link } };
  }
}

function templateComponents(t: OutboundTemplate): GraphTemplateComponent[] {
  const components: GraphTemplateComponent[] = [];
  if (t.header) components.push({ type: "header", parameters: [headerParameter(t.header)] });
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
      // Meta documents the index as a string ("0"), though it tolerates numbers.
      index: String(b.index),
      parameters: [
        b.sub_type === "quick_reply"
          ? { type: "payload", payload: b.parameter }
          : { type: "text", text: b.parameter },
      ],
    });
  }
  return components;
}

/**
 * Turns an API message into the Cloud API request body for one recipient.
 * @example toGraphMessage("+14155550123", { text: "Hi" }) // { messaging_product: "whatsapp", to: "14155550123", type: "text", … }
 */
export function toGraphMessage(toE164: string, m: OutboundMessage): GraphSendMessage {
  const base = {
    messaging_product: "whatsapp" as const,
    // Meta's OpenAPI document lists recipient_type as required, so it is always sent.
    recipient_type: "individual" as const,
    to: toE164.replace(/^\+/, ""),
    ...(m.reply_to ? { context: { message_id: m.reply_to } } : {}),
  };
  if (m.template) {
    const t = m.template;
    const components = templateComponents(t);
    return {
      ...base,
      type: "template",
      template: {
        name: t.name,
        // "deterministic" is the only policy Meta still accepts: render in exactly this language or fail.
        language: { code: t.language, policy: "deterministic" },
        ...(components.length ? { components } : {}),
      },
    };
  }
  if (m.interactive) {
    const i = m.interactive;
    const frame = {
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
          ...frame,
          action: {
            buttons: i.buttons.map((b) => ({ type: "reply" as const, reply: { id: b.id, title: b.title } })),
          },
        },
      };
    }
    return {
      ...base,
      type: "interactive",
      interactive: {
        type: "list",
        ...frame,
        action: {
          button: i.button,
          sections: i.sections.map((s) => ({
            ...(s.title ? { title: s.title } : {}),
            rows: s.rows.map((r) => ({
              id: r.id,
              title: r.title,
              ...(r.description ? { description: r.description } : {}),
            })),
          })),
        },
      },
    };
  }
  if (m.image) {
    const { link, caption } = m.image;
    return { ...base, type: "image", image: { link, ...(caption ? { caption } : {}) } };
  }
  if (m.document) {
    const { link, caption, filename } = m.document;
    return {
      ...base,
      type: "document",
      document: { link, ...(caption ? { caption } : {}), ...(filename ? { filename } : {}) },
    };
  }
  // The schema guarantees exactly one kind, so what is left is text.
  return { ...base, type: "text", text: { body: m.text ?? "", preview_url: m.preview_url ?? false } };
}

/** The mark-as-read request for an inbound message. */
export function toGraphMarkRead(waMessageId: string): GraphMarkRead {
  return { messaging_product: "whatsapp", status: "read", message_id: waMessageId };
}
