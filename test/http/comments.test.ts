import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("internal comments on %s", (engine) => {
  let t: TestApp;
  let conversationId: string;
  let contactId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const channelId = await createChannel(t);
    contactId = await createContact(t);
    conversationId = (await openConversation(t, { contact_id: contactId, channel_id: channelId }))
      .conversation.id;
  });
  afterAll(() => t.close());

  test("a comment lands in the timeline, never in the messages", async () => {
    const res = await t.api("POST", `/api/v1/conversations/${conversationId}/comments`, {
      text: "  VIP: refund approved by finance  ",
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      conversation_id: conversationId,
      text: "VIP: refund approved by finance",
      by: { type: "api" },
    });
    const timeline = await t.api("GET", `/api/v1/contacts/${contactId}/timeline`);
    expect(timeline.body.data.at(-1)).toMatchObject({
      type: "conversation.commented",
      conversation_id: conversationId,
      text: "VIP: refund approved by finance",
    });
    const messages = await t.api("GET", `/api/v1/conversations/${conversationId}/messages`);
    expect(messages.body.data).toEqual([]);
  });

  test("the timeline can be narrowed to some event types", async () => {
    const res = await t.api(
      "GET",
      `/api/v1/contacts/${contactId}/timeline?types=conversation.commented,%20conversation.closed`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.map((e: { type: string }) => e.type)).toEqual(["conversation.commented"]);
  });

  test("GET lists the conversation's notes oldest first, a page at a time", async () => {
    await t.api("POST", `/api/v1/conversations/${conversationId}/comments`, { text: "second note" });
    const first = await t.api("GET", `/api/v1/conversations/${conversationId}/comments?limit=1`);
    expect(first.status, first.text).toBe(200);
    expect(first.body.data).toEqual([
      {
        id: expect.any(Number),
        conversation_id: conversationId,
        by: { type: "api", id: expect.any(String) },
        text: "VIP: refund approved by finance",
        at: expect.any(String),
      },
    ]);
    const rest = await t.api(
      "GET",
      `/api/v1/conversations/${conversationId}/comments?limit=1&cursor=${first.body.next_cursor}`,
    );
    expect(rest.body.data.map((c: { text: string }) => c.text)).toEqual(["second note"]);
    expect(rest.body.next_cursor).toBeNull();
    expectProblem(await t.api("GET", "/api/v1/conversations/nope/comments"), 404);
    const other = await t.otherWorkspace();
    expectProblem(
      await t.api("GET", `/api/v1/conversations/${conversationId}/comments`, undefined, {
        key: other.apiKey,
      }),
      404,
    );
  });

  test("empty text is a 422, an unknown or foreign conversation a 404", async () => {
    expectProblem(
      await t.api("POST", `/api/v1/conversations/${conversationId}/comments`, { text: " " }),
      422,
      "text",
    );
    expectProblem(await t.api("POST", "/api/v1/conversations/nope/comments", { text: "x" }), 404);
    const other = await t.otherWorkspace();
    expectProblem(
      await t.api(
        "POST",
        `/api/v1/conversations/${conversationId}/comments`,
        { text: "x" },
        { key: other.apiKey },
      ),
      404,
    );
  });
});
