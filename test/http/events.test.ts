import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPLAY_LIMIT } from "../../src/live/EventHub.ts";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { connectSse, type SseClient } from "../support/sseClient.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("SSE /api/v1/events over a real port on %s", (engine) => {
  let t: TestApp;
  let base: string;
  let channelId: string;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine);
    await t.parley.server.listen({ port: 0, host: "127.0.0.1" });
    const address = t.parley.server.addresses().find((a) => typeof a === "object");
    base = `http://127.0.0.1:${address!.port}`;
    channelId = await createChannel(t);
  });
  afterAll(async () => {
    // Open streams would keep the server from closing.
    for (const c of clients) c.close();
    await t.close();
  });

  const connect = async (headers: Record<string, string> = {}, key = t.apiKey, query = "") => {
    const c = await connectSse(`${base}/api/v1/events${query}`, {
      authorization: `Bearer ${key}`,
      ...headers,
    });
    clients.push(c);
    return c;
  };

  /** A stream that sees a conversation open and then ends: the conversation, and the event it saw last. */
  const openSeenThenLeave = async () => {
    const first = await connect();
    const contactId = await createContact(t);
    const { conversation } = await openConversation(t, { contact_id: contactId, channel_id: channelId });
    const seen = await first.waitFor(
      "opened",
      (e) => e.event === "conversation.opened" && e.data.conversation_id === conversation.id,
    );
    first.close();
    return { contactId, conversation, seen, first };
  };

  test("open and close arrive live, with category and summary", async () => {
    const sse = await connect();
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toContain("text/event-stream");

    const contactId = await createContact(t);
    const { conversation } = await openConversation(t, {
      contact_id: contactId,
      channel_id: channelId,
      assignee: { type: "bot" },
    });
    const opened = await sse.waitFor("conversation.opened", (e) => e.event === "conversation.opened");
    expect(opened.data).toMatchObject({
      type: "conversation.opened",
      conversation_id: conversation.id,
      contact_id: contactId,
      assignee: { type: "bot" },
      cycle: 1,
    });
    // The SSE id is the resume point: the event id (SQLite), or the event id and a cursor (PostgreSQL).
    expect(opened.id).toMatch(engine === "sqlite" ? /^\d+$/ : /^\d+:\d+:\d+$/);
    expect(Number(opened.id?.split(":")[0])).toBe(opened.data.id);

    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, {
      category: "Sales",
      summary: "Demo booked",
    });
    const closed = await sse.waitFor("conversation.closed", (e) => e.event === "conversation.closed");
    expect(closed.data).toMatchObject({
      conversation_id: conversation.id,
      category: "sales",
      category_name: "Sales",
      summary: "Demo booked",
      cycle: 1,
    });
    expect(closed.data.duration_ms).toBeGreaterThanOrEqual(0);
    // The stream speaks snake_case, like the rest of the API.
    expect(Object.keys(closed.data).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    expect(closed.data.id).toBeGreaterThan(opened.data.id as number);
    sse.close();
  });

  test("reconnecting with Last-Event-ID replays what was missed, in order, and nothing before", async () => {
    const { contactId, conversation, seen, first } = await openSeenThenLeave();

    // While disconnected: close, reopen, assign.
    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, {
      category: "support",
      summary: "gone",
    });
    await openConversation(t, { contact_id: contactId, channel_id: channelId });
    await t.api("POST", `/api/v1/conversations/${conversation.id}/assign`, { type: "agent", agent_id: "a1" });

    const resumed = await connect({ "last-event-id": String(seen.id) });
    await resumed.waitFor("replayed assignment", (e) => e.event === "conversation.assigned");
    // PostgreSQL resumes at-least-once: events sent before the resume point settled may come again.
    const received = new Set(first.events.map((e) => e.data.id));
    const replayed = resumed.events.filter(
      (e) => e.data.conversation_id === conversation.id && !received.has(e.data.id),
    );
    if (engine === "sqlite") expect(resumed.events.some((e) => received.has(e.data.id))).toBe(false);
    expect(replayed.map((e) => e.event)).toEqual([
      "conversation.closed",
      "conversation.reopened",
      "conversation.assigned",
    ]);
    expect(replayed[0]!.data).toMatchObject({ category: "support", summary: "gone" });
    const idsSeen = replayed.map((e) => e.data.id as number);
    expect([...idsSeen].sort((a, b) => a - b)).toEqual(idsSeen);
    expect(idsSeen.every((id) => id > (seen.data.id as number))).toBe(true);

    // The query parameter works too.
    const viaQuery = await connect({}, t.apiKey, `?last_event_id=${encodeURIComponent(String(seen.id))}`);
    await viaQuery.waitFor("replayed assignment", (e) => e.event === "conversation.assigned");
    expect(
      viaQuery.events.filter((e) => e.data.conversation_id === conversation.id && !received.has(e.data.id)),
    ).toHaveLength(3);

    // And the resumed stream keeps going live.
    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, {});
    const live = await resumed.waitFor(
      "live close",
      (e) => e.event === "conversation.closed" && e.data.cycle === 2,
    );
    expect(live.data.conversation_id).toBe(conversation.id);
    resumed.close();
    viaQuery.close();
  });

  test("a stream only carries its own workspace's events", async () => {
    const other = await t.otherWorkspace();
    const theirs = await connect({}, other.apiKey);
    const mine = await connect();
    const contactId = await createContact(t);
    const { conversation } = await openConversation(t, { contact_id: contactId, channel_id: channelId });
    await mine.waitFor("my event", (e) => e.data.conversation_id === conversation.id);
    // Give the other stream the same chance to (wrongly) receive it.
    await new Promise((r) => setTimeout(r, 200));
    expect(theirs.events.filter((e) => e.data.conversation_id === conversation.id)).toEqual([]);
    theirs.close();
    mine.close();
  });

  test("a stream resumed from too far back gets one stream.reset (with a resume point), then live events", async () => {
    const { conversation, seen } = await openSeenThenLeave();
    // Another tab stays connected meanwhile, so the server is up to date when the first comes back.
    const other = await connect();
    const rows = Array.from({ length: REPLAY_LIMIT + 1 }, () => ({
      workspace_id: t.workspaceId,
      type: "test.missed",
      contact_id: null,
      conversation_id: null,
      payload: "{}",
      created_at: Date.now(),
    }));
    for (let i = 0; i < rows.length; i += 2000)
      await t.parley.deps.store.db
        .insertInto("events")
        .values(rows.slice(i, i + 2000))
        .execute();
    t.parley.deps.store.bus.emit("committed");
    await waitFor(
      "the other tab to get every event",
      async () => other.events.filter((e) => e.event === "test.missed").length === rows.length,
    );
    other.close();

    const resumed = await connect({ "last-event-id": String(seen.id) });
    const reset = await resumed.waitFor("the reset", (e) => e.event === "stream.reset");
    expect(reset.data).toMatchObject({ type: "stream.reset" });
    expect(String(reset.data.reason)).toContain("reload");
    expect(reset.id).toMatch(/^\d+(:\d+:\d+)?$/);
    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, {});
    await resumed.waitFor(
      "a live event after the reset",
      (e) => e.event === "conversation.closed" && e.data.conversation_id === conversation.id,
    );
    expect(resumed.events.filter((e) => e.event === "test.missed")).toEqual([]);
    resumed.close();
  });

  test("without a key the stream is refused with a 401 problem", async () => {
    const res = await fetch(`${base}/api/v1/events`);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expectProblem(await t.api("GET", "/api/v1/events?last_event_id=x"), 422, "last_event_id");
  });
});
