import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createChannel,
  createContact,
  openConversation,
  openWindow,
} from "../support/conversationHelpers.ts";
import { expectProblem, ids } from "../support/expectProblem.ts";
import { channelBody, startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("cross-workspace isolation on %s", (engine) => {
  let t: TestApp;
  let other: { workspaceId: string; apiKey: string };
  let channelId: string;
  let contactId: string;
  let openId: string;
  let closedId: string;
  let closedContactId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    other = await t.otherWorkspace();
    channelId = await createChannel(t);
    contactId = await createContact(t, "+14155550150", "Mine");
    openId = (await openConversation(t, { contact_id: contactId, channel_id: channelId })).conversation.id;
    await openWindow(t, openId);
    await t.api("POST", `/api/v1/conversations/${openId}/messages`, { text: "private" });
    closedContactId = await createContact(t, "+14155550151", "Mine too");
    closedId = (await openConversation(t, { contact_id: closedContactId, channel_id: channelId }))
      .conversation.id;
    await t.api("POST", `/api/v1/conversations/${closedId}/close`, { category: "sales", summary: "secret" });
  });
  afterAll(() => t.close());

  const as = (method: string, url: string, body?: unknown) => t.api(method, url, body, { key: other.apiKey });

  test("every id-bearing route of the first workspace is a 404 for the other key", async () => {
    const routes: [string, string, unknown?][] = [
      ["GET", `/api/v1/conversations/${openId}`],
      ["GET", `/api/v1/conversations/${closedId}`],
      ["POST", `/api/v1/conversations/${openId}/close`, { category: "sales" }],
      ["POST", `/api/v1/conversations/${openId}/assign`, { type: "bot" }],
      ["GET", `/api/v1/conversations/${openId}/messages`],
      ["POST", `/api/v1/conversations/${openId}/messages`, { text: "hijack" }],
      ["POST", `/api/v1/conversations/${closedId}/messages`, { text: "hijack" }],
      ["GET", `/api/v1/conversations/${closedId}/closings`],
      ["POST", "/api/v1/conversations/open", { contact_id: contactId, channel_id: channelId }],
      ["POST", "/api/v1/conversations/open", { contact_id: closedContactId, channel_id: channelId }],
      ["POST", "/api/v1/conversations/open", { phone: "+14155550150", channel_id: channelId }],
      ["GET", `/api/v1/contacts/${contactId}`],
      ["PATCH", `/api/v1/contacts/${contactId}`, { name: "Stolen" }],
      ["GET", `/api/v1/contacts/${contactId}/timeline`],
      ["GET", `/api/v1/contacts/${closedContactId}/closings`],
      ["GET", `/api/v1/channels/${channelId}`],
    ];
    for (const [method, url, body] of routes) {
      const res = await as(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(404);
      expectProblem(res, 404);
    }
  });

  test("nothing of the first workspace changed", async () => {
    const open = await t.api("GET", `/api/v1/conversations/${openId}`);
    expect(open.body).toMatchObject({ status: "open", assignee: { type: "none" } });
    const closed = await t.api("GET", `/api/v1/conversations/${closedId}`);
    expect(closed.body).toMatchObject({ status: "closed", cycle: 1 });
    expect((await t.api("GET", `/api/v1/contacts/${contactId}`)).body.name).toBe("Mine");
    const messages = await t.api("GET", `/api/v1/conversations/${openId}/messages`);
    expect(messages.body.data.map((m: { content: { text: string } }) => m.content.text)).toEqual(["private"]);
  });

  test("the other workspace's lists, counts and reports show none of it", async () => {
    for (const url of [
      "/api/v1/conversations",
      "/api/v1/conversations?status=closed",
      `/api/v1/conversations?contact_id=${contactId}`,
      `/api/v1/conversations?channel_id=${channelId}`,
      "/api/v1/contacts",
      "/api/v1/contacts?phone=%2B14155550150",
      "/api/v1/contacts?q=Mine",
      "/api/v1/channels",
    ]) {
      const res = await as("GET", url);
      expect(res.status, url).toBe(200);
      expect(res.body.data, url).toEqual([]);
    }
    expect((await as("GET", "/api/v1/conversations/counts")).body).toEqual({ open: 0, closed: 0 });
    expect((await as("GET", "/api/v1/reports/closes-by-category")).body.data).toEqual([]);
  });

  test("the same phone is a separate contact in the other workspace, on its own channel", async () => {
    const mine = await as("POST", "/api/v1/contacts", { phone: "+14155550150", name: "Theirs" });
    expect(mine.status).toBe(201);
    expect(mine.body.id).not.toBe(contactId);
    const ch = await as("POST", "/api/v1/channels", channelBody(7));
    expect(ch.status).toBe(201);
    const conv = await as("POST", "/api/v1/conversations/open", {
      contact_id: mine.body.id,
      channel_id: ch.body.id,
    });
    expect(conv.status).toBe(201);
    // Neither sees the other's conversation.
    expect(ids(await t.api("GET", "/api/v1/conversations?limit=200"))).not.toContain(
      conv.body.conversation.id,
    );
    expectProblem(await t.api("GET", `/api/v1/conversations/${conv.body.conversation.id}`), 404);
    // A channel of one workspace can't be used with a contact of the other.
    expectProblem(
      await as("POST", "/api/v1/conversations/open", { contact_id: mine.body.id, channel_id: channelId }),
      404,
    );
    expectProblem(
      await t.api("POST", "/api/v1/conversations/open", { contact_id: contactId, channel_id: ch.body.id }),
      404,
    );
    expect((await t.api("GET", `/api/v1/contacts/${contactId}`)).body.name).toBe("Mine");
  });

  test("the other workspace's categories and settings are its own", async () => {
    await as("PATCH", "/api/v1/workspace", {
      brand_name: "Other brand",
      closing_notes: { summary: "required" },
    });
    await as("POST", "/api/v1/conversation-categories", { key: "theirs", name: "Theirs" });
    const mine = await t.api("GET", "/api/v1/workspace");
    expect(mine.body).toMatchObject({ brand_name: "Parley", closing_notes: { summary: "optional" } });
    const cats = await t.api("GET", "/api/v1/conversation-categories");
    expect(cats.body.data.map((c: { key: string }) => c.key)).not.toContain("theirs");
    expectProblem(await t.api("PATCH", "/api/v1/conversation-categories/theirs", { archived: true }), 404);
    const id = (await openConversation(t, { contact_id: await createContact(t), channel_id: channelId }))
      .conversation.id;
    expectProblem(
      await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "theirs" }),
      422,
      "category",
    );
  });
});
