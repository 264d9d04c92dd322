import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  graphMarkReadSchema,
  graphSendMessageSchema,
} from "../../../../src/channels/whatsapp/graph/graphMessageSchema.ts";
import { messagesRequestValidator } from "./openApiValidator.ts";

const base = { messaging_product: "whatsapp", recipient_type: "individual", to: "14155550123" };
const reply = (id: string, title = id.toUpperCase()) => ({ type: "reply", reply: { id, title } });
const buttonsBody = (buttons: unknown[]) => ({
  ...base,
  type: "interactive",
  interactive: { type: "button", body: { text: "Pick" }, action: { buttons } },
});
const listBody = (sections: unknown[]) => ({
  ...base,
  type: "interactive",
  interactive: { type: "list", body: { text: "Pick" }, action: { button: "Choose", sections } },
});
const rows = (n: number, p = "r") =>
  Array.from({ length: n }, (_, i) => ({ id: `${p}${i}`, title: `Row ${i}` }));

function issuePaths(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input);
  if (r.success) throw new Error("expected the body to be rejected");
  return r.error.issues.map((i) => z.core.toDotPath(i.path));
}

describe("graphSendMessageSchema accepts what Meta documents", () => {
  const meta = messagesRequestValidator();
  test.each<[string, unknown]>([
    ["audio by id", { ...base, type: "audio", audio: { id: "1234" } }],
    ["sticker by link", { ...base, type: "sticker", sticker: { link: "https://x.example/s.webp" } }],
    [
      "video with caption",
      { ...base, type: "video", video: { link: "https://x.example/v.mp4", caption: "c" } },
    ],
    ["reaction", { ...base, type: "reaction", reaction: { message_id: "wamid.x", emoji: "👍" } }],
    [
      "location",
      {
        ...base,
        type: "location",
        location: { latitude: "52.37", longitude: "4.89", name: "Dam", address: "1012" },
      },
    ],
    [
      "template with currency and date_time",
      {
        ...base,
        type: "template",
        template: {
          name: "order_update",
          language: { code: "en_US", policy: "deterministic" },
          components: [
            {
              type: "body",
              parameters: [
                {
                  type: "currency",
                  currency: { fallback_value: "$100.99", code: "USD", amount_1000: 100990 },
                },
                { type: "date_time", date_time: { fallback_value: "February 25, 1977" } },
              ],
            },
          ],
        },
      },
    ],
    [
      "image-header buttons",
      {
        ...buttonsBody([reply("a")]),
        interactive: {
          type: "button",
          header: { type: "image", image: { link: "https://x.example/a.png" } },
          body: { text: "Pick" },
          action: { buttons: [reply("a")] },
        },
      },
    ],
  ])("%s", (_name, body) => {
    expect(graphSendMessageSchema.safeParse(body).error?.issues).toBeUndefined();
    expect(meta(body)).toEqual([]);
  });
});

describe("graphSendMessageSchema issues name the field", () => {
  test.each<[string, unknown, string]>([
    ["4,097-character text", { ...base, type: "text", text: { body: "x".repeat(4097) } }, "text.body"],
    [
      "four reply buttons",
      buttonsBody([reply("a"), reply("b"), reply("c"), reply("d")]),
      "interactive.action.buttons",
    ],
    [
      "a 21-character title",
      buttonsBody([reply("a", "x".repeat(21))]),
      "interactive.action.buttons[0].reply.title",
    ],
    ["duplicate ids", buttonsBody([reply("a", "A"), reply("a", "B")]), "interactive.action.buttons[1]"],
    [
      "duplicate titles",
      buttonsBody([reply("a", "Same"), reply("b", "Same")]),
      "interactive.action.buttons[1]",
    ],
    [
      "a button that is not a reply",
      buttonsBody([{ type: "url", reply: { id: "a", title: "A" } }]),
      "interactive.action.buttons[0].type",
    ],
    ["eleven rows", listBody([{ rows: rows(11) }]), "interactive.action.sections[0].rows"],
    [
      "eleven rows across sections",
      listBody([
        { title: "A", rows: rows(10) },
        { title: "B", rows: rows(1, "s") },
      ]),
      "interactive.action.sections[1].rows[0]",
    ],
    [
      "a 73-character description",
      listBody([{ rows: [{ id: "a", title: "A", description: "x".repeat(73) }] }]),
      "interactive.action.sections[0].rows[0].description",
    ],
    [
      "a text header without text",
      {
        ...buttonsBody([reply("a")]),
        interactive: {
          type: "button",
          header: { type: "text" },
          body: { text: "b" },
          action: { buttons: [reply("a")] },
        },
      },
      "interactive.header.text",
    ],
    ["media with neither id nor link", { ...base, type: "image", image: { caption: "c" } }, "image"],
    [
      "media with both id and link",
      { ...base, type: "image", image: { id: "1", link: "https://x.example/a" } },
      "image.link",
    ],
    [
      "a caption over 1,024",
      { ...base, type: "image", image: { id: "1", caption: "x".repeat(1025) } },
      "image.caption",
    ],
    [
      "a text parameter without text",
      {
        ...base,
        type: "template",
        template: {
          name: "t",
          language: { code: "en" },
          components: [{ type: "body", parameters: [{ type: "text" }] }],
        },
      },
      "template.components[0].parameters[0].text",
    ],
    [
      "a button component without index",
      {
        ...base,
        type: "template",
        template: {
          name: "t",
          language: { code: "en" },
          components: [
            { type: "button", sub_type: "quick_reply", parameters: [{ type: "payload", payload: "p" }] },
          ],
        },
      },
      "template.components[0].index",
    ],
    ["an unknown type", { ...base, type: "carousel" }, "type"],
    [
      "a wrong product",
      { ...base, messaging_product: "instagram", type: "text", text: { body: "x" } },
      "messaging_product",
    ],
  ])("%s", (_name, body, path) => {
    expect(issuePaths(graphSendMessageSchema, body)).toContain(path);
  });
});

describe("graphMarkReadSchema", () => {
  test("accepts a read receipt with a typing indicator", () => {
    const body = {
      messaging_product: "whatsapp",
      status: "read",
      message_id: "wamid.x",
      typing_indicator: { type: "text" },
    };
    expect(graphMarkReadSchema.parse(body)).toEqual(body);
  });
  test("names a missing message id", () => {
    expect(issuePaths(graphMarkReadSchema, { messaging_product: "whatsapp", status: "read" })).toEqual([
      "message_id",
    ]);
  });
});
