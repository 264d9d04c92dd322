import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, nextPhone, openWindow } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("POST /conversations/open on %s", (engine) => {
  let t: TestApp;
  let channelId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    channelId = await createChannel(t);
  });
  afterAll(() => t.close());

  const open = (body: Record<string, unknown>) =>
    t.api("POST", "/api/v1/conversations/open", { channel_id: channelId, ...body });

  const openRows = async (contactId: string) =>
    t.parley.deps.store.db
      .selectFrom("conversations")
      .select(["id", "status"])
      .where("contact_id", "=", contactId)
      .execute();

  test("creates with 201, then is idempotent with 200 while open", async () => {
    const contactId = await createContact(t, nextPhone(), "Ana");
    const first = await open({ contact_id: contactId });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      reopened: false,
      conversation: {
        contact_id: contactId,
        channel_id: channelId,
        status: "open",
        cycle: 1,
        assignee: { type: "none" },
        opened_by: { type: "api", id: expect.any(String) },
        closed_at: null,
        category: null,
        summary: null,
        contact: { id: contactId, name: "Ana" },
      },
    });
    expect(Date.parse(first.body.conversation.opened_at)).not.toBeNaN();

    for (let i = 0; i < 3; i++) {
      const again = await open({ contact_id: contactId, assignee: { type: "bot" } });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        created: false,
        reopened: false,
        // Opening an open conversation changes nothing, not even the assignee.
        conversation: { id: first.body.conversation.id, cycle: 1, assignee: { type: "none" } },
      });
    }
    expect(await openRows(contactId)).toHaveLength(1);
  });

  test("reopening a closed conversation keeps its id and its history", async () => {
    const contactId = await createContact(t);
    const first = await open({ contact_id: contactId, assignee: { type: "bot" } });
    const id = first.body.conversation.id;
    await openWindow(t, id);
    const sent = await t.api("POST", `/api/v1/conversations/${id}/messages`, { text: "Hello from cycle 1" });
    expect(sent.status).toBe(201);
    expect(
      (await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "support", summary: "s" }))
        .status,
    ).toBe(200);

    const reopened = await open({ contact_id: contactId });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      created: false,
      reopened: true,
      conversation: {
        id,
        status: "open",
        cycle: 2,
        closed_at: null,
        category: null,
        summary: null,
        assignee: { type: "bot" },
      },
    });
    const messages = await t.api("GET", `/api/v1/conversations/${id}/messages`);
    expect(messages.body.data.map((m: { content: { text: string } }) => m.content.text)).toEqual([
      "Hello from cycle 1",
    ]);
    const closings = await t.api("GET", `/api/v1/conversations/${id}/closings`);
    expect(closings.body.data).toHaveLength(1);
    expect(await openRows(contactId)).toEqual([{ id, status: "open" }]);
  });

  test("reopen with an assignee reassigns", async () => {
    const contactId = await createContact(t);
    const id = (await open({ contact_id: contactId, assignee: { type: "bot" } })).body.conversation.id;
    await t.api("POST", `/api/v1/conversations/${id}/close`, {});
    const reopened = await open({ contact_id: contactId, assignee: { type: "agent", agent_id: "a7" } });
    expect(reopened.body.conversation.assignee).toEqual({ type: "agent", agent_id: "a7" });
    const timeline = await t.api("GET", `/api/v1/contacts/${contactId}/timeline`);
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual([
      "conversation.opened",
      "conversation.closed",
      "conversation.reopened",
      "conversation.assigned",
    ]);
  });

  test("open by phone upserts the contact; other formats of the number find the same contact", async () => {
    const first = await open({ phone: "+1 (415) 555-0777" });
    expect(first.status).toBe(201);
    const contactId = first.body.conversation.contact_id;
    expect(first.body.conversation.contact).toMatchObject({ phone: "+14155550777" });
    const contact = await t.api("GET", `/api/v1/contacts/${contactId}`);
    expect(contact.body).toMatchObject({ phone: "+14155550777", wa_id: "14155550777" });

    const again = await open({ phone: "14155550777" });
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
    const listed = await t.api("GET", "/api/v1/contacts?phone=%2B14155550777");
    expect(listed.body.data).toHaveLength(1);
  });

  test.each([
    [{ type: "bot" }, { type: "bot" }],
    [
      { type: "agent", agent_id: "agent-42" },
      { type: "agent", agent_id: "agent-42" },
    ],
    [{ type: "none" }, { type: "none" }],
  ])("assignee %j", async (assignee, expected) => {
    const res = await open({ contact_id: await createContact(t), assignee });
    expect(res.status).toBe(201);
    expect(res.body.conversation.assignee).toEqual(expected);
  });

  test("a bad assignee is a 422 naming it", async () => {
    const contactId = await createContact(t);
    expectProblem(await open({ contact_id: contactId, assignee: { type: "agent" } }), 422, "assignee");
    expectProblem(await open({ contact_id: contactId, assignee: { type: "robot" } }), 422, "assignee");
    expectProblem(
      await open({ contact_id: contactId, assignee: { type: "bot", agent_id: "x" } }),
      422,
      "agent_id",
    );
  });

  test("unknown contact or channel is a 404 problem; nothing is created", async () => {
    const missingContact = await open({ contact_id: "01a00000-0000-7000-8000-000000000000" });
    expect(expectProblem(missingContact, 404).detail).toMatch(/Contact/);
    const contactId = await createContact(t);
    const missingChannel = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: "nope",
    });
    expect(expectProblem(missingChannel, 404).detail).toMatch(/Channel/);
    expect(await openRows(contactId)).toHaveLength(0);
  });

  test("open by phone on an unknown channel is a 404 and leaves no contact behind", async () => {
    const phone = nextPhone();
    const res = await t.api("POST", "/api/v1/conversations/open", { phone, channel_id: "no-such-channel" });
    expect(expectProblem(res, 404).detail).toMatch(/Channel/);
    const contacts = await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent(phone)}`);
    expect(contacts.body.data).toEqual([]);
  });

  test("exactly one of contact_id or phone; channel_id required; bad phone named", async () => {
    expectProblem(await open({}), 422, "contact_id");
    expectProblem(await open({ contact_id: "x", phone: "+14155550123" }), 422, "contact_id");
    expectProblem(
      await t.api("POST", "/api/v1/conversations/open", { phone: "+14155550123" }),
      422,
      "channel_id",
    );
    expectProblem(await open({ phone: "not a phone" }), 422, "phone");
  });

  test("25 concurrent opens for one contact create exactly one conversation", async () => {
    const contactId = await createContact(t);
    const results = await Promise.all(Array.from({ length: 25 }, () => open({ contact_id: contactId })));
    for (const r of results) expect([200, 201]).toContain(r.status);
    expect(results.filter((r) => r.body.created)).toHaveLength(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body.reopened)).toHaveLength(0);
    expect(new Set(results.map((r) => r.body.conversation.id)).size).toBe(1);
    const rows = await openRows(contactId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe("open");
    const events = await t.api("GET", `/api/v1/contacts/${contactId}/timeline`);
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(["conversation.opened"]);
  });

  test("25 concurrent opens by phone for a new contact: one contact, one conversation", async () => {
    const phone = nextPhone();
    const results = await Promise.all(Array.from({ length: 25 }, () => open({ phone })));
    for (const r of results) expect([200, 201]).toContain(r.status);
    expect(results.filter((r) => r.body.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.conversation.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.conversation.contact_id)).size).toBe(1);
    const contacts = await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent(phone)}`);
    expect(contacts.body.data).toHaveLength(1);
  });

  test("25 concurrent opens of a closed conversation reopen it exactly once", async () => {
    const contactId = await createContact(t);
    const id = (await open({ contact_id: contactId })).body.conversation.id;
    await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "sales" });
    const results = await Promise.all(Array.from({ length: 25 }, () => open({ contact_id: contactId })));
    for (const r of results) expect(r.status).toBe(200);
    expect(results.filter((r) => r.body.reopened)).toHaveLength(1);
    expect(results.filter((r) => r.body.created)).toHaveLength(0);
    for (const r of results) expect(r.body.conversation).toMatchObject({ id, status: "open", cycle: 2 });
    expect(await openRows(contactId)).toEqual([{ id, status: "open" }]);
    const timeline = await t.api("GET", `/api/v1/contacts/${contactId}/timeline`);
    expect(
      timeline.body.data.filter((e: { type: string }) => e.type === "conversation.reopened"),
    ).toHaveLength(1);
  });

  test("concurrent opens for many contacts at once each get their own single conversation", async () => {
    const contacts = await Promise.all(Array.from({ length: 6 }, () => createContact(t)));
    const results = await Promise.all(
      contacts.flatMap((c) => Array.from({ length: 4 }, () => open({ contact_id: c }))),
    );
    for (const c of contacts) {
      const mine = results.filter((r) => r.body.conversation.contact_id === c);
      expect(mine.filter((r) => r.body.created)).toHaveLength(1);
      expect(new Set(mine.map((r) => r.body.conversation.id)).size).toBe(1);
    }
  });

  test("the same contact on two channels has two conversations", async () => {
    const second = await createChannel(t, 2);
    const contactId = await createContact(t);
    const a = await open({ contact_id: contactId });
    const b = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: second,
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.conversation.id).not.toBe(b.body.conversation.id);
  });
});
