import { describe, expect, test } from "vitest";
import { graphSendMessageSchema } from "../../../src/channels/whatsapp/graph/graphMessageSchema.ts";
import { outboundMessageSchema } from "../../../src/channels/whatsapp/graph/outboundMessageSchema.ts";
import { toGraphMarkRead, toGraphMessage } from "../../../src/channels/whatsapp/graph/toGraphMessage.ts";
import { messagesRequestSchemaName, metaSchemaValidator } from "./metaOpenApi.ts";

const samples = {
  text: { text: "Hi Riya, your order is ready", preview_url: false },
  reply: { text: "Thanks!", reply_to: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCNTY0NDg3OUQ2NjI2RkVBNkEA" },
  templatePositional: { template: { name: "order_ready", language: "en", body: ["Riya", "A-1001"] } },
  templateNamed: {
    template: {
      name: "order_ready_named",
      language: "en_US",
      body: [{ name: "first_name", value: "Riya" }],
      header: { type: "image" as const, link: "https://example.com/a.jpg" },
      // Meta's document gives button `index` the pattern ^[2-6, 11-14]$ (a character class that its own example
      // "0" fails), so this sample uses index 1, which both the pattern and the API accept.
      buttons: [{ index: 1, sub_type: "quick_reply" as const, parameter: "TRACK_42" }],
    },
  },
  buttons: {
    interactive: {
      type: "button" as const,
      header: "Your order",
      body: "Track it now?",
      footer: "Reply any time",
      buttons: [
        { id: "yes", title: "Yes" },
        { id: "no", title: "No" },
      ],
    },
  },
  list: {
    interactive: {
      type: "list" as const,
      body: "Pick a slot",
      button: "Choose",
      sections: [
        { title: "Morning", rows: [{ id: "9", title: "9:00", description: "Front desk" }] },
        { title: "Afternoon", rows: [{ id: "14", title: "14:00" }] },
      ],
    },
  },
  image: { image: { link: "https://example.com/a.jpg", caption: "Your receipt" } },
  document: { document: { link: "https://example.com/a.pdf", caption: "Invoice", filename: "invoice.pdf" } },
};

describe("outbound request bodies", () => {
  const validate = metaSchemaValidator(messagesRequestSchemaName());

  test.each(Object.entries(samples))(
    "%s is valid against Meta's OpenAPI document and our Graph schema",
    (_name, input) => {
      const parsed = outboundMessageSchema.parse(input);
      const body = toGraphMessage("+14155550123", parsed);
      expect(body.to).toBe("14155550123");
      expect(validate(body)).toEqual([]);
      expect(graphSendMessageSchema.safeParse(body).success).toBe(true);
    },
  );

  test("mark-as-read is valid against Meta's document", () => {
    const v = metaSchemaValidator("MarkMessageRequestPayload");
    expect(v(toGraphMarkRead("wamid.abc"))).toEqual([]);
    expect(v({ messaging_product: "whatsapp" }).length).toBeGreaterThan(0);
  });

  test("Meta's validator does reject a malformed body (the check is real)", () => {
    expect(
      validate({ messaging_product: "whatsapp", to: 42, type: "text", text: { body: 7 } }).length,
    ).toBeGreaterThan(0);
  });
});

describe("Meta's limits name the field", () => {
  const issue = (input: unknown) => {
    const r = outboundMessageSchema.safeParse(input);
    expect(r.success).toBe(false);
    return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
  };
  test("text over 4,096 characters", () => expect(issue({ text: "x".repeat(4097) })).toContain("text"));
  test("four reply buttons", () =>
    expect(
      issue({
        interactive: {
          type: "button",
          body: "b",
          buttons: ["a", "b", "c", "d"].map((id) => ({ id, title: id })),
        },
      }),
    ).toContain("interactive.buttons"));
  test("a 21-character button title", () =>
    expect(
      issue({ interactive: { type: "button", body: "b", buttons: [{ id: "a", title: "x".repeat(21) }] } }),
    ).toContain("interactive.buttons.0.title"));
  test("duplicate button ids", () =>
    expect(
      issue({
        interactive: {
          type: "button",
          body: "b",
          buttons: [
            { id: "a", title: "A" },
            { id: "a", title: "B" },
          ],
        },
      }),
    ).toContain("interactive.buttons.1"));
  test("eleven list rows", () =>
    expect(
      issue({
        interactive: {
          type: "list",
          body: "b",
          button: "Pick",
          sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: String(i), title: String(i) })) }],
        },
      }),
    ).toContain("interactive.sections.0.rows"));
  test("two kinds at once", () =>
    expect(issue({ text: "hi", image: { link: "https://x.example/a.png" } })).toContain("image"));
  test("no kind at all", () => expect(issue({ reply_to: "wamid.x" })).toEqual([""]));
  test("non-URL image link", () => expect(issue({ image: { link: "not a url" } })).toContain("image.link"));
});
