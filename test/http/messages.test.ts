import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createChannel,
  createContact,
  openConversation,
  openWindow,
} from "../support/conversationHelpers.ts";
import { expectProblem, ids, walkPages } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("conversation messages on %s", (engine) => {
  let t: TestApp;
  let channelId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    channelId = await createChannel(t);
  });
  afterAll(() => t.close());

  /** An open conversation whose contact wrote recently (the 24-hour window is open). */
  async function chatting() {
    const { conversation } = await openConversation(t, {
      contact_id: await createContact(t),
      channel_id: channelId,
    });
    await openWindow(t, conversation.id);
    return conversation.id as string;
  }
  const send = (id: string, body: unknown, headers?: Record<string, string>) =>
    t.api("POST", `/api/v1/conversations/${id}/messages`, body, { headers });

  test("a text message is queued outbound with 201", async () => {
    const id = await chatting();
    const res = await send(id, { text: "  Your order is ready  " });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      conversation_id: id,
      channel_id: channelId,
      direction: "outbound",
      type: "text",
      status: "queued",
      content: { text: "Your order is ready" },
      author: { type: "api", id: expect.any(String) },
      wa_message_id: null,
      error: null,
      sent_at: null,
    });
    // The author is the API key that sent it, the same actor that opened the conversation.
    const opened = await t.api("GET", `/api/v1/conversations/${id}`);
    expect(res.body.author.id).toBe(opened.body.opened_by.id);
    const conv = await t.api("GET", `/api/v1/conversations/${id}`);
    expect(conv.body.last_message_at).toBe(res.body.created_at);
  });

  test("list is oldest first and pages without gaps or duplicates", async () => {
    const id = await chatting();
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push((await send(id, { text: `m${i}` })).body.id);
    const all = await t.api("GET", `/api/v1/conversations/${id}/messages`);
    expect(ids(all)).toEqual(sent);
    expect(all.body.data.map((m: { content: { text: string } }) => m.content.text)).toEqual(
      sent.map((_, i) => `m${i}`),
    );
    expect(all.body.next_cursor).toBeNull();

    const walked = await walkPages(t.api, `/api/v1/conversations/${id}/messages?`, 3);
    expect(walked).toEqual(sent);
    expectProblem(await t.api("GET", `/api/v1/conversations/${id}/messages?cursor=abc`), 422, "cursor");
  });

  test("text over 4,096 characters is a 422 naming text; 4,096 is fine", async () => {
    const id = await chatting();
    expectProblem(await send(id, { text: "x".repeat(4097) }), 422, "text");
    expect((await send(id, { text: "x".repeat(4096) })).status).toBe(201);
  });

  test("bad message bodies are 422s that name the field", async () => {
    const id = await chatting();
    expectProblem(await send(id, {}), 422);
    expectProblem(await send(id, { text: "" }), 422, "text");
    expectProblem(await send(id, { text: 5 }), 422, "text");
    expectProblem(await send(id, { text: "a", colour: "red" }), 422, "colour");
    expectProblem(await send(id, { text: "a", image: { link: "https://example.com/a.png" } }), 422, "image");
    const list = await t.api("GET", `/api/v1/conversations/${id}/messages`);
    expect(list.body.data).toEqual([]);
  });

  test("unknown conversation is a 404 for list and send", async () => {
    expectProblem(await send("nope", { text: "hi" }), 404);
    expectProblem(await t.api("GET", "/api/v1/conversations/nope/messages"), 404);
  });

  test("free-form text outside the 24-hour window is refused with window_closed", async () => {
    const { conversation } = await openConversation(t, {
      contact_id: await createContact(t),
      channel_id: channelId,
    });
    const p = expectProblem(await send(conversation.id, { text: "hi" }), 422);
    expect(p.code).toBe("window_closed");
    await openWindow(t, conversation.id, Date.now() - 25 * 3600_000);
    expect(expectProblem(await send(conversation.id, { text: "hi" }), 422).code).toBe("window_closed");
  });

  test("Idempotency-Key makes a retried send return the same message", async () => {
    const id = await chatting();
    const a = await send(id, { text: "once" }, { "idempotency-key": `k-${id}` });
    const b = await send(id, { text: "once" }, { "idempotency-key": `k-${id}` });
    expect(a.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect((await t.api("GET", `/api/v1/conversations/${id}/messages`)).body.data).toHaveLength(1);
  });

  test("a retried send whose conversation has since closed returns the first message and doesn't reopen it", async () => {
    const id = await chatting();
    const a = await send(id, { text: "once" }, { "idempotency-key": `late-${id}` });
    await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "support", summary: "done" });
    const b = await send(id, { text: "once" }, { "idempotency-key": `late-${id}` });
    expect(b.body.id).toBe(a.body.id);
    expect((await t.api("GET", `/api/v1/conversations/${id}`)).body.status).toBe("closed");
    expect((await t.api("GET", `/api/v1/conversations/${id}/messages`)).body.data).toHaveLength(1);
  });

  test("order=newest pages from the newest message back; the contact timeline too", async () => {
    const id = await chatting();
    for (const text of ["one", "two", "three", "four", "five"])
      expect((await send(id, { text })).status).toBe(201);
    const texts = (page: { body: { data: { content: { text?: string } }[] } }) =>
      page.body.data.map((m) => m.content.text);
    const first = await t.api("GET", `/api/v1/conversations/${id}/messages?order=newest&limit=2`);
    expect(texts(first)).toEqual(["five", "four"]);
    const second = await t.api(
      "GET",
      `/api/v1/conversations/${id}/messages?order=newest&limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(texts(second)).toEqual(["three", "two"]);
    const last = await t.api(
      "GET",
      `/api/v1/conversations/${id}/messages?order=newest&limit=2&cursor=${encodeURIComponent(second.body.next_cursor)}`,
    );
    expect(texts(last)).toEqual(["one"]);
    expect(last.body.next_cursor).toBeNull();
    expectProblem(await t.api("GET", `/api/v1/conversations/${id}/messages?order=sideways`), 422, "order");

    const contactId = (await t.api("GET", `/api/v1/conversations/${id}`)).body.contact_id;
    const oldest = await t.api("GET", `/api/v1/contacts/${contactId}/timeline?limit=100`);
    const newest = await t.api("GET", `/api/v1/contacts/${contactId}/timeline?order=newest&limit=3`);
    const ids = (p: { body: { data: { id: number }[] } }) => p.body.data.map((e) => e.id);
    expect(ids(newest)).toEqual(ids(oldest).reverse().slice(0, 3));
    const older = await t.api(
      "GET",
      `/api/v1/contacts/${contactId}/timeline?order=newest&limit=100&cursor=${encodeURIComponent(newest.body.next_cursor)}`,
    );
    expect([...ids(newest), ...ids(older)]).toEqual(ids(oldest).reverse());
  });

  // Documented behaviour: a reply on a closed conversation reopens it (same id, next cycle), as in an inbox.
  test("sending on a closed conversation reopens it", async () => {
    const id = await chatting();
    await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "support", summary: "done" });
    const res = await send(id, { text: "One more thing" });
    expect(res.status).toBe(201);
    expect(res.body.conversation_id).toBe(id);
    const conv = await t.api("GET", `/api/v1/conversations/${id}`);
    expect(conv.body).toMatchObject({ id, status: "open", cycle: 2, category: null, summary: null });
    const timeline = await t.api("GET", `/api/v1/contacts/${conv.body.contact_id}/timeline`);
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual([
      "conversation.opened",
      "conversation.closed",
      "conversation.reopened",
      "message.created",
    ]);
    expect(timeline.body.data[2].by).toMatchObject({ type: "api" });
  });

  test("a message sent from the web app's session is authored by that agent", async () => {
    const id = await chatting();
    const setup = await t.api(
      "POST",
      "/api/v1/auth/setup",
      { email: "olive@example.com", name: "Olive", password: "owner password 1" },
      { key: null },
    );
    expect(setup.status, setup.text).toBe(201);
    const cookie = String(setup.headers["set-cookie"]).split(";")[0]!;
    const res = await t.api(
      "POST",
      `/api/v1/conversations/${id}/messages`,
      { text: "Hello from Olive" },
      { key: null, headers: { cookie, "x-csrf-token": setup.body.csrf_token } },
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body.author).toEqual({ type: "agent", id: setup.body.user.id });
  });
});
