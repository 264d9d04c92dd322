import { describe, expect, test } from "vitest";
import type { Message } from "../../web/src/api/apiTypes.ts";
import { duration, timeAgo } from "../../web/src/inbox/formatTime.ts";
import { readFilters, writeFilters } from "../../web/src/inbox/inboxFilters.ts";
import { messageText } from "../../web/src/inbox/messageText.ts";

const message = (type: string, content: Record<string, unknown>): Message => ({
  id: "m1",
  conversation_id: "c1",
  contact_id: "k1",
  channel_id: "ch1",
  direction: "inbound",
  type,
  content,
  author: { type: "contact", id: null },
  wa_message_id: null,
  status: "received",
  error: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  sent_at: null,
  delivered_at: null,
  read_at: null,
  failed_at: null,
});

describe("web app helpers", () => {
  test("messageText reads every stored content shape", () => {
    expect(messageText(message("text", { text: "hello" }))).toBe("hello");
    expect(
      messageText(
        message("template", {
          template: { name: "order_ready", body: ["Rita", { name: "n", value: "A-1" }] },
        }),
      ),
    ).toBe("Template order_ready (Rita, A-1)");
    expect(messageText(message("interactive", { interactive: { type: "button", body: "Track it?" } }))).toBe(
      "Track it?",
    );
    expect(messageText(message("interactive", { reply: { id: "yes", title: "Yes" } }))).toBe("Tapped: Yes");
    expect(messageText(message("button", { payload: "p", text: "No" }))).toBe("Tapped: No");
    expect(messageText(message("image", { image: { link: "https://x", caption: "receipt" } }))).toBe(
      "[image] receipt",
    );
    expect(messageText(message("sticker", {}))).toBe("[sticker]");
  });

  test("inbox filters round-trip through the URL, defaulting to Active", () => {
    expect(readFilters(new URLSearchParams(""))).toEqual({
      status: "open",
      assignee: "",
      channel: "",
      category: "",
      q: "",
    });
    const f = { status: "closed" as const, assignee: "me", channel: "ch", category: "sales", q: "ana" };
    expect(writeFilters(f)).toBe("?status=closed&assignee=me&channel=ch&category=sales&q=ana");
    expect(readFilters(new URLSearchParams(writeFilters(f)))).toEqual(f);
    expect(readFilters(new URLSearchParams("status=bogus")).status).toBe("open");
  });

  test("times read compactly", () => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    expect(timeAgo("2026-01-01T23:59:30Z", now)).toBe("now");
    expect(timeAgo("2026-01-01T23:00:00Z", now)).toBe("1h");
    expect(timeAgo("2025-12-30T00:00:00Z", now)).toBe("3d");
    expect(duration(18_000)).toBe("18s");
    expect(duration(65 * 60_000)).toBe("1h 05m");
    expect(duration(50 * 3600_000)).toBe("2d 2h");
  });
});
