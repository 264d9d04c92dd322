import type { GraphSendMessage } from "../graph/graphMessageSchema.ts";
import type { SimMessage, SimTemplate } from "./simulatorTypes.ts";

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The placeholders of a template's BODY, in order of first appearance. */
export function templatePlaceholders(t: SimTemplate): string[] {
  const body = t.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** What the phone shows for a template: its body with parameters filled in, and its quick-reply buttons. */
export function renderTemplate(t: SimTemplate, params: string[], names: string[]) {
  const body = t.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
  const text = body.replace(PLACEHOLDER, (_m, k: string) => params[names.indexOf(k)] ?? "");
  const buttons = t.components.find((c) => c.type.toUpperCase() === "BUTTONS")?.buttons ?? [];
  const options = buttons
    .filter((b) => b.type.toUpperCase() === "QUICK_REPLY")
    .map((b) => ({ id: b.text, title: b.text, kind: "quick_reply" as const }));
  return {
    text,
    templateName: t.name,
    options: options.length ? options : undefined,
    category: t.category.toLowerCase(),
  };
}

/** What the phone shows for a free-form message, with the buttons or list rows it can tap. */
export function renderFreeForm(m: GraphSendMessage): { text: string; options?: SimMessage["options"] } {
  switch (m.type) {
    case "text":
      return { text: m.text.body };
    case "interactive":
      if (m.interactive.type === "button") {
        return {
          text: m.interactive.body.text,
          options: m.interactive.action.buttons.map((b) => ({
            id: b.reply.id,
            title: b.reply.title,
            kind: "button_reply" as const,
          })),
        };
      }
      return {
        text: m.interactive.body.text,
        options: m.interactive.action.sections.flatMap((s) =>
          s.rows.map((r) => ({
            id: r.id,
            title: r.title,
            description: r.description,
            kind: "list_reply" as const,
          })),
        ),
      };
    case "image":
      return { text: `[image] ${m.image.caption ?? ""}`.trim() };
    case "document":
      return { text: `[document] ${m.document.caption ?? m.document.filename ?? ""}`.trim() };
    case "video":
      return { text: `[video] ${m.video.caption ?? ""}`.trim() };
    default:
      return { text: `[${m.type}]` };
  }
}
