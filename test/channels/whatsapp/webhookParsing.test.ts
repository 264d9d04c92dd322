import { describe, expect, test } from "vitest";
import { parseWebhookPayload } from "../../../src/channels/whatsapp/webhook/parseWebhookPayload.ts";
import { verifyChallenge } from "../../../src/channels/whatsapp/webhook/verifyChallenge.ts";
import {
  signWebhookBody,
  verifyWebhookSignature,
} from "../../../src/channels/whatsapp/webhook/verifyWebhookSignature.ts";
import { webhookSamples } from "./webhookSamples.ts";

describe("every shared webhook sample parses", () => {
  test.each(webhookSamples())("%s / %s", (file, name, payload) => {
    const r = parseWebhookPayload(payload);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.events.length).toBeGreaterThan(0);
    for (const e of r.events) {
      if (e.kind === "message") {
        expect(e.waMessageId).toBeTruthy();
        expect(e.type).toBeTruthy();
        expect(e.timestamp).toBeGreaterThan(1_600_000_000_000);
      }
      if (e.kind === "status") expect(["sent", "delivered", "read", "failed", "played"]).toContain(e.status);
    }
    const kinds = r.events.map((e) => e.kind);
    if (file === "message_status.json") expect(kinds).toContain("status");
    if (file === "template_status_update.json") expect(kinds).toEqual(["template_status"]);
    if (file === "template_category_update.json") expect(kinds).toEqual(["template_category"]);
    if (file === "user_marketing_preferences.json") expect(kinds).toContain("user_preference");
    if (file === "message.json" || file === "callback_button.json" || file === "callback_selection.json") {
      expect(kinds).toContain("message");
    }
    void name;
  });
});

describe("normalized content", () => {
  const byCase = new Map(webhookSamples().map(([f, n, p]) => [`${f}/${n}`, p]));
  const first = (key: string) => {
    const r = parseWebhookPayload(byCase.get(key));
    if (!r.ok) throw new Error(r.issues.join());
    return r.events[0]!;
  };

  test("text", () => {
    const e = first("message.json/text");
    expect(e).toMatchObject({
      kind: "message",
      type: "text",
      content: { text: "Body Text" },
      waId: "972987654321",
      timestamp: 1697043223000,
    });
  });
  test("list reply and button reply", () => {
    expect(first("callback_selection.json/callback")).toMatchObject({
      type: "interactive",
      content: { reply: { kind: "list_reply", id: "callback_data" } },
    });
    expect(first("callback_button.json/quick_reply")).toMatchObject({
      type: "button",
      content: { payload: "callback_data", text: "title" },
    });
  });
  test("image keeps the media id and metadata", () => {
    expect(first("message.json/image")).toMatchObject({
      content: { mediaId: "65463453", mimeType: "image/jpeg" },
    });
  });
  test("reaction and removed reaction", () => {
    expect(first("message.json/reaction")).toMatchObject({
      content: { messageId: "wamid.yzxyzx=", emoji: "😮" },
    });
    expect(first("message.json/unreaction_empty")).toMatchObject({ content: { emoji: null } });
  });
  test("location and unsupported with its error", () => {
    expect(first("message.json/current_location")).toMatchObject({
      type: "location",
      content: { latitude: 12.25089 },
    });
    expect(first("message.json/unsupported")).toMatchObject({
      type: "unsupported",
      errors: [{ code: 131051 }],
    });
  });
  test("failed status carries Meta's error", () => {
    expect(first("message_status.json/failed")).toMatchObject({
      kind: "status",
      status: "failed",
      errors: [{ code: 130472 }],
    });
  });
  test("template status and marketing preference", () => {
    expect(first("template_status_update.json/approved")).toMatchObject({
      templateName: "order_confirmation",
      event: "APPROVED",
      language: "en_US",
    });
    expect(first("user_marketing_preferences.json/resume")).toMatchObject({
      kind: "user_preference",
      value: "resume",
      waId: "16505551234",
    });
  });
});

describe("malformed deliveries are failures, never exceptions", () => {
  test.each([
    null,
    42,
    "x",
    [],
    {},
    { object: "page", entry: [] },
    { object: "whatsapp_business_account" },
    { object: "whatsapp_business_account", entry: [{ changes: "x" }] },
  ])("%j", (body) => {
    const r = parseWebhookPayload(body);
    expect(r.ok).toBe(false);
  });
  test("a messages value without metadata is refused", () => {
    const r = parseWebhookPayload({
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "messages", value: { messages: [] } }] }],
    });
    expect(r.ok).toBe(false);
  });
});

describe("X-Hub-Signature-256", () => {
  const body = Buffer.from('{"object":"whatsapp_business_account"}');
  const good = signWebhookBody(body, "s3cret");
  test("accepts the right signature", () => expect(verifyWebhookSignature(body, good, "s3cret")).toBe(true));
  test.each([
    ["missing", undefined],
    ["no prefix", good.slice(7)],
    ["wrong prefix", `sha1=${good.slice(7)}`],
    ["not hex", `sha256=${"z".repeat(64)}`],
    ["short", good.slice(0, -2)],
    ["other body", signWebhookBody(Buffer.from("{}"), "s3cret")],
  ])("rejects %s", (_n, header) => expect(verifyWebhookSignature(body, header, "s3cret")).toBe(false));
  test("rejects the wrong secret", () => expect(verifyWebhookSignature(body, good, "other")).toBe(false));
  test("is computed over raw bytes, not re-serialized JSON", () => {
    const spaced = Buffer.from('{ "object": "whatsapp_business_account" }');
    expect(verifyWebhookSignature(spaced, good, "s3cret")).toBe(false);
  });
});

describe("verification handshake", () => {
  const ok = (t: string) => t === "tok";
  test("echoes the challenge", () => {
    expect(
      verifyChallenge({ "hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "123" }, ok),
    ).toEqual({ ok: true, challenge: "123" });
  });
  test.each([
    { "hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "1" },
    { "hub.mode": "subscribe", "hub.verify_token": "bad", "hub.challenge": "1" },
    { "hub.mode": "subscribe", "hub.verify_token": "tok" },
    {},
  ])("refuses %j", (q) => expect(verifyChallenge(q, ok).ok).toBe(false));
});
