import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { autoCloseIdle } from "../../src/engine/autoCloseIdle.ts";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("auto-close on %s", (engine) => {
  let t: TestApp;
  let channelId: string;
  beforeAll(async () => {
    t = await startTestApp(engine);
    channelId = await createChannel(t);
  });
  afterAll(() => t.close());

  test("idle conversations close with the configured category and summary; active ones and other workspaces stay open", async () => {
    const idle = (await openConversation(t, { contact_id: await createContact(t), channel_id: channelId }))
      .conversation;
    const busy = (await openConversation(t, { contact_id: await createContact(t), channel_id: channelId }))
      .conversation;
    const threeHoursAgo = Date.now() - 3 * 3_600_000;
    await t.parley.deps.store.db
      .updateTable("conversations")
      .set({ opened_at: threeHoursAgo, last_activity_at: threeHoursAgo, last_message_at: threeHoursAgo })
      .where("id", "=", idle.id)
      .execute();
    expect(await autoCloseIdle(t.parley.workflows.env)).toBe(0); // off by default
    const patched = await t.api("PATCH", "/api/v1/workspace", {
      settings: {
        auto_close: { after_hours: 2, category: "general-inquiry", summary: "Closed for inactivity" },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(await autoCloseIdle(t.parley.workflows.env)).toBe(1);
    expect((await t.api("GET", `/api/v1/conversations/${idle.id}`)).body).toMatchObject({
      status: "closed",
      category: { key: "general-inquiry" },
      summary: "Closed for inactivity",
      closed_by: { type: "system" },
    });
    expect((await t.api("GET", `/api/v1/conversations/${busy.id}`)).body.status).toBe("open");
    await t.api("PATCH", "/api/v1/workspace", { settings: { auto_close: null } });
  });
});
