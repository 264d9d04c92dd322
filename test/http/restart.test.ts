import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, openConversation, openWindow } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("data survives a restart on %s", (engine) => {
  let t: TestApp;
  let other: { workspaceId: string; apiKey: string };
  const before: Record<string, any> = {};

  beforeAll(async () => {
    t = await startTestApp(engine);
    other = await t.otherWorkspace();
    const channelId = await createChannel(t);
    const contact = await t.api("POST", "/api/v1/contacts", {
      phone: "+14155550160",
      name: "Persistent Pat",
      fields: { plan: "gold" },
      tags: ["vip"],
    });
    const kept = await openConversation(t, { contact_id: contact.body.id, channel_id: channelId });
    await openWindow(t, kept.conversation.id);
    await t.api("POST", `/api/v1/conversations/${kept.conversation.id}/messages`, { text: "before restart" });
    await t.api("POST", "/api/v1/conversation-categories", { key: "renewals", name: "Renewals" });
    await t.api("PATCH", "/api/v1/conversation-categories/sales", { archived: true });
    await t.api("PATCH", "/api/v1/workspace", {
      brand_name: "Kept Brand",
      closing_notes: { category: "required", summary: "required" },
    });
    await t.api("POST", `/api/v1/conversations/${kept.conversation.id}/close`, {
      category: "renewals",
      summary: "Renewed for a year",
    });
    const stillOpen = await openConversation(t, { phone: "+14155550161", channel_id: channelId });

    before.channelId = channelId;
    before.contact = (await t.api("GET", `/api/v1/contacts/${contact.body.id}`)).body;
    before.closed = (await t.api("GET", `/api/v1/conversations/${kept.conversation.id}`)).body;
    before.open = (await t.api("GET", `/api/v1/conversations/${stillOpen.conversation.id}`)).body;
    before.closings = (await t.api("GET", `/api/v1/conversations/${kept.conversation.id}/closings`)).body;
    before.categories = (await t.api("GET", "/api/v1/conversation-categories")).body;
    before.workspace = (await t.api("GET", "/api/v1/workspace")).body;
    before.timeline = (await t.api("GET", `/api/v1/contacts/${contact.body.id}/timeline`)).body;
    before.channel = (await t.api("GET", `/api/v1/channels/${channelId}`)).body;
    before.messages = (await t.api("GET", `/api/v1/conversations/${kept.conversation.id}/messages`)).body;

    await t.restart();
  });
  afterAll(() => t.close());

  test("a restart does not bootstrap again; both API keys still work", async () => {
    expect(t.parley.bootstrap).toBeNull();
    expect((await t.api("GET", "/api/v1/workspace")).status).toBe(200);
    const theirs = await t.api("GET", "/api/v1/workspace", undefined, { key: other.apiKey });
    expect(theirs.body.id).toBe(other.workspaceId);
    expectProblem(await t.api("GET", "/api/v1/workspace", undefined, { key: "pk_unknown" }), 401);
  });

  test("contacts, conversations, closings, messages and the timeline are unchanged", async () => {
    expect((await t.api("GET", `/api/v1/contacts/${before.contact.id}`)).body).toEqual(before.contact);
    expect((await t.api("GET", `/api/v1/conversations/${before.closed.id}`)).body).toEqual(before.closed);
    expect((await t.api("GET", `/api/v1/conversations/${before.open.id}`)).body).toEqual(before.open);
    expect((await t.api("GET", `/api/v1/conversations/${before.closed.id}/closings`)).body).toEqual(
      before.closings,
    );
    expect((await t.api("GET", `/api/v1/conversations/${before.closed.id}/messages`)).body).toEqual(
      before.messages,
    );
    expect((await t.api("GET", `/api/v1/contacts/${before.contact.id}/timeline`)).body).toEqual(
      before.timeline,
    );
    expect(before.closings.data[0]).toMatchObject({
      category: { key: "renewals", name: "Renewals" },
      summary: "Renewed for a year",
    });
    expect((await t.api("GET", "/api/v1/contacts?tag=vip")).body.data.map((c: any) => c.id)).toEqual([
      before.contact.id,
    ]);
  });

  test("categories, workspace settings and the channel are unchanged and still enforced", async () => {
    expect((await t.api("GET", "/api/v1/conversation-categories")).body).toEqual(before.categories);
    expect((await t.api("GET", "/api/v1/workspace")).body).toEqual(before.workspace);
    expect((await t.api("GET", `/api/v1/channels/${before.channelId}`)).body).toEqual(before.channel);
    expect(before.workspace).toMatchObject({
      brand_name: "Kept Brand",
      closing_notes: { category: "required", summary: "required" },
    });
    const id = before.open.id;
    const missing = expectProblem(await t.api("POST", `/api/v1/conversations/${id}/close`, {}), 422);
    expect(missing.errors?.map((e) => e.field).sort()).toEqual(["category", "summary"]);
    expectProblem(
      await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "sales", summary: "x" }),
      422,
      "category",
    );
  });

  test("the lifecycle carries on: reopen, close, a second closing record", async () => {
    const reopened = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: before.contact.id,
      channel_id: before.channelId,
    });
    expect(reopened.body).toMatchObject({ reopened: true, conversation: { id: before.closed.id, cycle: 2 } });
    const closed = await t.api("POST", `/api/v1/conversations/${before.closed.id}/close`, {
      category: "Renewals",
      summary: "Again",
    });
    expect(closed.status).toBe(200);
    const closings = await t.api("GET", `/api/v1/conversations/${before.closed.id}/closings`);
    expect(closings.body.data).toHaveLength(2);
    // Secrets sealed before the restart can still be opened with the same key.
    const { channelStore } = await import("../../src/store/channelStore.ts");
    const secrets = await channelStore.secrets(t.parley.deps.store, before.channelId);
    expect(secrets.accessToken).toBe("EAAG-test-access-token");
  });
});
