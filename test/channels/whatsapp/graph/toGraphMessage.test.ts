import { describe, expect, test } from "vitest";
import {
  graphMarkReadSchema,
  graphSendMessageSchema,
} from "../../../../src/channels/whatsapp/graph/graphMessageSchema.ts";
import { outboundMessageSchema } from "../../../../src/channels/whatsapp/graph/outboundMessageSchema.ts";
import { toGraphMarkRead, toGraphMessage } from "../../../../src/channels/whatsapp/graph/toGraphMessage.ts";
import { componentValidator, messagesRequestValidator } from "./openApiValidator.ts";

const TO = "+14155550123";
const WAMID = "wamid.HBgLMTQxNTU1NTAxMjMVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
const base = { messaging_product: "whatsapp", recipient_type: "individual", to: "14155550123" };

/** Every kind of outbound message Parley accepts, with the Graph body it must become. */
const cases: [string, unknown, unknown][] = [
  ["text", { text: "Hi Riya" }, { ...base, type: "text", text: { body: "Hi Riya", preview_url: false } }],
  [
    "text with preview and reply",
    { text: "See https://example.com", preview_url: true, reply_to: WAMID },
    {
      ...base,
      context: { message_id: WAMID },
      type: "text",
      text: { body: "See https://example.com", preview_url: true },
    },
  ],
  [
    "template without parameters",
    { template: { name: "hello_world", language: "en_US" } },
    {
      ...base,
      type: "template",
      template: { name: "hello_world", language: { code: "en_US", policy: "deterministic" } },
    },
  ],
  [
    "template with positional body, text header and both kinds of button",
    {
      template: {
        name: "order_ready",
        language: "en",
        header: { type: "text", text: "Order A-1001" },
        body: ["Riya", "A-1001"],
        buttons: [
          { index: 0, sub_type: "quick_reply", parameter: "CONFIRM_42" },
          { index: 1, sub_type: "url", parameter: "A-1001" },
        ],
      },
    },
    {
      ...base,
      type: "template",
      template: {
        name: "order_ready",
        language: { code: "en", policy: "deterministic" },
        components: [
          { type: "header", parameters: [{ type: "text", text: "Order A-1001" }] },
          {
            type: "body",
            parameters: [
              { type: "text", text: "Riya" },
              { type: "text", text: "A-1001" },
            ],
          },
          {
            type: "button",
            sub_type: "quick_reply",
            index: "0",
            parameters: [{ type: "payload", payload: "CONFIRM_42" }],
          },
          { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: "A-1001" }] },
        ],
      },
    },
  ],
  ...(["image", "document", "video"] as const).map((kind): [string, unknown, unknown] => [
    `template with named body and ${kind} header`,
    {
      template: {
        name: "order_named",
        language: "pt_BR",
        header: { type: kind, link: `https://cdn.example.com/a.${kind}` },
        body: [{ name: "first_name", value: "Riya" }],
      },
    },
    {
      ...base,
      type: "template",
      template: {
        name: "order_named",
        language: { code: "pt_BR", policy: "deterministic" },
        components: [
          {
            type: "header",
            parameters: [{ type: kind, [kind]: { link: `https://cdn.example.com/a.${kind}` } }],
          },
          { type: "body", parameters: [{ type: "text", text: "Riya", parameter_name: "first_name" }] },
        ],
      },
    },
  ]),
  [
    "reply buttons with header and footer",
    {
      interactive: {
        type: "button",
        header: "Your order",
        body: "Track it now?",
        footer: "Reply any time",
        buttons: [
          { id: "yes", title: "Yes" },
          { id: "no", title: "No" },
        ],
      },
    },
    {
      ...base,
      type: "interactive",
      interactive: {
        type: "button",
        header: { type: "text", text: "Your order" },
        body: { text: "Track it now?" },
        footer: { text: "Reply any time" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "yes", title: "Yes" } },
            { type: "reply", reply: { id: "no", title: "No" } },
          ],
        },
      },
    },
  ],
  [
    "list",
    {
      interactive: {
        type: "list",
        body: "Pick a slot",
        button: "Choose",
        sections: [
          { title: "Morning", rows: [{ id: "9", title: "9:00", description: "Front desk" }] },
          { title: "Afternoon", rows: [{ id: "14", title: "14:00" }] },
        ],
      },
    },
    {
      ...base,
      type: "interactive",
      interactive: {
        type: "list",
        body: { text: "Pick a slot" },
        action: {
          button: "Choose",
          sections: [
            { title: "Morning", rows: [{ id: "9", title: "9:00", description: "Front desk" }] },
            { title: "Afternoon", rows: [{ id: "14", title: "14:00" }] },
          ],
        },
      },
    },
  ],
  [
    "image",
    { image: { link: "https://cdn.example.com/r.jpg", caption: "Your receipt" } },
    { ...base, type: "image", image: { link: "https://cdn.example.com/r.jpg", caption: "Your receipt" } },
  ],
  [
    "image without caption",
    { image: { link: "https://cdn.example.com/r.jpg" } },
    { ...base, type: "image", image: { link: "https://cdn.example.com/r.jpg" } },
  ],
  [
    "document",
    { document: { link: "https://cdn.example.com/i.pdf", caption: "Invoice", filename: "invoice.pdf" } },
    {
      ...base,
      type: "document",
      document: { link: "https://cdn.example.com/i.pdf", caption: "Invoice", filename: "invoice.pdf" },
    },
  ],
];

describe("toGraphMessage", () => {
  const metaValidate = messagesRequestValidator();

  test.each(cases)("%s", (_name, input, expected) => {
    const body = toGraphMessage(TO, outboundMessageSchema.parse(input));
    expect(body).toEqual(expected);
    // Meta's own OpenAPI document is the referee; our Graph schema (used by the simulator) must agree with it.
    expect(metaValidate(body)).toEqual([]);
    expect(graphSendMessageSchema.safeParse(body).error?.issues).toBeUndefined();
  });

  test("a number without + is used as is", () => {
    expect(toGraphMessage("14155550123", { text: "x" }).to).toBe("14155550123");
  });

  test("mark-as-read is valid against Meta's document and our schema", () => {
    const body = toGraphMarkRead(WAMID);
    expect(body).toEqual({ messaging_product: "whatsapp", status: "read", message_id: WAMID });
    expect(componentValidator("MarkMessageRequestPayload")(body)).toEqual([]);
    expect(graphMarkReadSchema.safeParse(body).success).toBe(true);
  });

  test("Meta's validator rejects malformed bodies, so the checks above are real", () => {
    expect(metaValidate({ ...base, type: "text", text: { body: 7 } })).not.toEqual([]);
    expect(metaValidate({ ...base, type: "text", text: { body: "x" }, surprise: 1 })).not.toEqual([]);
    expect(
      metaValidate({
        ...base,
        type: "interactive",
        interactive: { type: "button", body: { text: "b" }, action: { buttons: [] } },
      }),
    ).not.toEqual([]);
    expect(componentValidator("MarkMessageRequestPayload")({ messaging_product: "whatsapp" })).not.toEqual(
      [],
    );
  });
});
