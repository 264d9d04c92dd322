import { describe, expect, test } from "vitest";
import { previewOf } from "../../src/store/messageStore.ts";

describe("previewOf: the one line an inbox and a timeline show for a message", () => {
  test.each([
    ["text", { text: "Hi Riya" }, "Hi Riya"],
    ["interactive", { reply: { kind: "button_reply", id: "track", title: "Yes please" } }, "Yes please"],
    ["interactive", { interactive: { type: "button", body: "Track it?", buttons: [] } }, "Track it?"],
    ["image", { image: { link: "https://x.example/a.png", caption: "Your receipt" } }, "Your receipt"],
    ["document", { document: { link: "https://x.example/a.pdf", filename: "invoice.pdf" } }, "invoice.pdf"],
    ["template", { template: { name: "order_ready", language: "en" } }, "[template order_ready]"],
    ["location", { latitude: 1, longitude: 2 }, "[location]"],
  ])("%s %j → %s", (type, content, expected) => {
    expect(previewOf(type, content)).toBe(expected);
  });

  test("long texts are cut to 200 characters", () => {
    expect(previewOf("text", { text: "x".repeat(500) })).toHaveLength(200);
  });
});
