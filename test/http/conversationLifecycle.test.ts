import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { channelBody, startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("conversation lifecycle on %s", (engine) => {
  let t: TestApp;
  let channelId: string;
  let contactId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    channelId = (await t.api("POST", "/api/v1/channels", channelBody())).body.id;
    contactId = (await t.api("POST", "/api/v1/contacts", { phone: "+14155550123", name: "Riya" })).body.id;
  });
  afterAll(() => t.close());

  test("open creates, open again is idempotent, close, then open reopens the same conversation", async () => {
    const first = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: channelId,
      assignee: { type: "bot" },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      reopened: false,
      conversation: { status: "open", assignee: { type: "bot" }, cycle: 1 },
    });
    const id = first.body.conversation.id;

    const again = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: channelId,
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      created: false,
      reopened: false,
      conversation: { id, status: "open" },
    });

    const closed = await t.api("POST", `/api/v1/conversations/${id}/close`, {
      category: "Sales",
      summary: "Lead confirmed demo schedule.",
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: "closed",
      category: { key: "sales", name: "Sales" },
      summary: "Lead confirmed demo schedule.",
    });
    expect(closed.body.closed_by).toEqual({ type: "api", id: expect.any(String) });

    const active = await t.api("GET", "/api/v1/conversations?status=open");
    expect(active.body.data.map((c: { id: string }) => c.id)).not.toContain(id);

    const twice = await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "sales" });
    expect(twice.status).toBe(409);
    expect(twice.headers["content-type"]).toContain("application/problem+json");

    const reopened = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: channelId,
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      created: false,
      reopened: true,
      conversation: { id, status: "open", cycle: 2 },
    });

    const timeline = await t.api("GET", `/api/v1/contacts/${contactId}/timeline`);
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual([
      "conversation.opened",
      "conversation.closed",
      "conversation.reopened",
    ]);
    expect(timeline.body.data[1]).toMatchObject({
      category: "sales",
      category_name: "Sales",
      summary: "Lead confirmed demo schedule.",
    });
  });
});
