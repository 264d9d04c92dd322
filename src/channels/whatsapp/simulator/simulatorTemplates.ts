import type { GraphSendMessage } from "../graph/graphMessageSchema.ts";
import { renderTemplate, templatePlaceholders } from "./renderForPhone.ts";
import type { SimNumber, SimTemplate } from "./simulatorTypes.ts";

type TemplateSend = Extract<GraphSendMessage, { type: "template" }>["template"];
type Rendered = ReturnType<typeof renderTemplate>;

/** The simulator's template rules, listing and status-change webhook, as Meta applies and sends them. */
export const simulatorTemplates = {
  /** Meta's checks on a template send: exists and approved (132001), not paused/disabled, right parameter count. */
  check(
    templates: SimTemplate[],
    wabaId: string,
    send: TemplateSend,
  ): { ok: true; rendered: Rendered } | { ok: false; code: number; title: string; details: string } {
    const t = templates.find(
      (x) => x.wabaId === wabaId && x.name === send.name && x.language === send.language.code,
    );
    if (!t || t.status === "REJECTED" || t.status === "PENDING")
      return {
        ok: false,
        code: 132001,
        title: "Template name does not exist in the translation",
        details: `template name (${send.name}) does not exist in ${send.language.code}`,
      };
    if (t.status === "PAUSED")
      return {
        ok: false,
        code: 132015,
        title: "Template is paused",
        details: "Template is paused due to low quality",
      };
    if (t.status === "DISABLED")
      return {
        ok: false,
        code: 132016,
        title: "Template has been disabled",
        details: "Template is disabled due to low quality",
      };
    const expected = templatePlaceholders(t);
    const params = send.components?.find((c) => c.type === "body")?.parameters ?? [];
    if (params.length !== expected.length)
      return {
        ok: false,
        code: 132000,
        title: "Number of parameters does not match the expected number of params",
        details: `body: number of localizable_params (${params.length}) does not match the expected number of params (${expected.length})`,
      };
    return {
      ok: true,
      rendered: renderTemplate(
        t,
        params.map((p) => p.text ?? ""),
        expected,
      ),
    };
  },

  /** `GET /{waba-id}/message_templates`: one page with Meta's cursor paging. */
  page(all: SimTemplate[], limit: number, after?: string) {
    const start = after ? Number(Buffer.from(after, "base64url").toString()) || 0 : 0;
    const page = all.slice(start, start + limit);
    const next =
      start + limit < all.length ? Buffer.from(String(start + limit)).toString("base64url") : undefined;
    return {
      data: page.map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        components: t.components,
      })),
      paging: {
        cursors: { before: Buffer.from(String(start)).toString("base64url"), after: next ?? "" },
        ...(next ? { next: `?limit=${limit}&after=${next}` } : {}),
      },
    };
  },

  /** The `message_template_status_update` delivery Meta sends when a template is approved, paused, rejected… */
  statusWebhook(n: SimNumber, t: SimTemplate, at: number) {
    return {
      object: "whatsapp_business_account",
      entry: [
        {
          id: n.wabaId,
          time: Math.floor(at / 1000),
          changes: [
            {
              field: "message_template_status_update",
              value: {
                event: t.status,
                message_template_id: Number(t.id),
                message_template_name: t.name,
                message_template_language: t.language,
                reason: "NONE",
                message_template_category: t.category,
              },
            },
          ],
        },
      ],
    };
  },
};
