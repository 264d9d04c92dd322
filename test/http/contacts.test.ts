import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, openWindow } from "../support/conversationHelpers.ts";
import { expectProblem, ids, walkPages } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("contacts on %s", (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  const upsert = (body: unknown) => t.api("POST", "/api/v1/contacts", body);

  test("upsert by phone: other formats of one number are the same contact", async () => {
    const first = await upsert({
      phone: "+1 (415) 555-0100",
      name: "Riya",
      fields: { plan: "gold", city: "SF" },
      tags: ["vip", "beta"],
      timezone: "America/Los_Angeles",
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      phone: "+14155550100",
      wa_id: "14155550100",
      name: "Riya",
      fields: { plan: "gold", city: "SF" },
      tags: ["vip", "beta"],
      timezone: "America/Los_Angeles",
      opted_out: false,
      marketing_opt_out: false,
      last_inbound_at: null,
    });
    for (const phone of ["14155550100", "+14155550100", " +1 415 555 0100 ", "+1-415-555-0100"]) {
      const again = await upsert({ phone });
      expect(again.status, phone).toBe(200);
      expect(again.body.id).toBe(first.body.id);
    }
    // Fields left out kept their values.
    const got = await t.api("GET", `/api/v1/contacts/${first.body.id}`);
    expect(got.body).toMatchObject({
      name: "Riya",
      fields: { plan: "gold", city: "SF" },
      tags: ["vip", "beta"],
      timezone: "America/Los_Angeles",
    });
  });

  test("fields merge key by key; null deletes a key; tags replace; name can be cleared", async () => {
    const res = await upsert({ phone: "+14155550100", fields: { plan: "platinum", city: null, seats: 5 } });
    expect(res.status).toBe(200);
    expect(res.body.fields).toEqual({ plan: "platinum", seats: 5 });
    const tags = await upsert({ phone: "+14155550100", tags: ["vip"] });
    expect(tags.body.tags).toEqual(["vip"]);
    const cleared = await upsert({ phone: "+14155550100", name: null });
    expect(cleared.body.name).toBeNull();
    expect(cleared.body.fields).toEqual({ plan: "platinum", seats: 5 });
    await upsert({ phone: "+14155550100", name: "Riya" });
  });

  test("bad phone is a 422 whose first error names phone", async () => {
    for (const phone of ["12", "not a number", "+1 555", "", "+999 1234"]) {
      const res = await upsert({ phone, name: "x" });
      const p = expectProblem(res, 422);
      expect(p.errors?.[0]?.field, phone).toBe("phone");
    }
    expectProblem(await upsert({ name: "no phone" }), 422, "phone");
    expectProblem(await upsert({ phone: 4155550100 }), 422, "phone");
  });

  test("other bad input is named: timezone, tags, fields, unknown fields", async () => {
    expectProblem(await upsert({ phone: "+14155550101", timezone: "Mars/Olympus" }), 422, "timezone");
    expectProblem(await upsert({ phone: "+14155550101", tags: [""] }), 422, "tags[0]");
    expectProblem(await upsert({ phone: "+14155550101", tags: "vip" }), 422, "tags");
    expectProblem(await upsert({ phone: "+14155550101", fields: [1, 2] }), 422, "fields");
    expectProblem(await upsert({ phone: "+14155550101", opted_out: "yes" }), 422, "opted_out");
    expectProblem(await upsert({ phone: "+14155550101", email: "a@b.c" }), 422, "email");
    // Nothing was created by the refused requests.
    expect((await t.api("GET", "/api/v1/contacts?phone=%2B14155550101")).body.data).toEqual([]);
  });

  test("list by phone (any format), q (name or phone) and tag", async () => {
    await upsert({ phone: "+14155550102", name: "Bob Marley", tags: ["music"] });
    await upsert({ phone: "+442079460958", name: "Alice", tags: ["music", "uk"] });

    const byPhone = await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent("+1 415 555 0102")}`);
    expect(byPhone.body.data.map((c: { name: string }) => c.name)).toEqual(["Bob Marley"]);
    expectProblem(await t.api("GET", "/api/v1/contacts?phone=abc"), 422, "phone");

    const byName = await t.api("GET", "/api/v1/contacts?q=marl");
    expect(byName.body.data.map((c: { name: string }) => c.name)).toEqual(["Bob Marley"]);
    const byNameUpper = await t.api("GET", "/api/v1/contacts?q=ALICE");
    expect(byNameUpper.body.data.map((c: { name: string }) => c.name)).toEqual(["Alice"]);
    const byDigits = await t.api("GET", "/api/v1/contacts?q=2079460");
    expect(byDigits.body.data.map((c: { name: string }) => c.name)).toEqual(["Alice"]);
    // LIKE wildcards are literal.
    expect((await t.api("GET", "/api/v1/contacts?q=%25")).body.data).toEqual([]);
    expect((await t.api("GET", "/api/v1/contacts?q=_")).body.data).toEqual([]);

    const music = await t.api("GET", "/api/v1/contacts?tag=music");
    expect(music.body.data.map((c: { name: string }) => c.name).sort()).toEqual(["Alice", "Bob Marley"]);
    const uk = await t.api("GET", "/api/v1/contacts?tag=uk");
    expect(uk.body.data.map((c: { name: string }) => c.name)).toEqual(["Alice"]);
    expect((await t.api("GET", "/api/v1/contacts?tag=none")).body.data).toEqual([]);
    expectProblem(await t.api("GET", "/api/v1/contacts?colour=red"), 422, "colour");
  });

  test("keyset pagination returns every contact exactly once", async () => {
    for (let i = 0; i < 17; i++) await upsert({ phone: `+1415555${2000 + i}`, tags: ["page"] });
    const all = new Set((await t.api("GET", "/api/v1/contacts?limit=200")).body.data.map((c: any) => c.id));
    expect(all.size).toBeGreaterThanOrEqual(20);

    for (const filter of ["", "tag=page"]) {
      const seen = await walkPages(t.api, `/api/v1/contacts?${filter}`, 4);
      expect(new Set(seen).size).toBe(seen.length);
      if (filter) expect(seen).toHaveLength(17);
      else expect(new Set(seen)).toEqual(all);
    }
    const exact = await t.api("GET", "/api/v1/contacts?limit=17&tag=page");
    expect(exact.body.next_cursor).toBeNull();
    expectProblem(await t.api("GET", "/api/v1/contacts?cursor=not-a-cursor"), 422, "cursor");
    expectProblem(await t.api("GET", "/api/v1/contacts?limit=0"), 422, "limit");
    expectProblem(await t.api("GET", "/api/v1/contacts?limit=201"), 422, "limit");
  });

  test("PATCH changes only what is given, including the phone; clashes are 409", async () => {
    const c = (await upsert({ phone: "+14155550110", name: "Pat", fields: { a: 1, b: 2 } })).body;
    const res = await t.api("PATCH", `/api/v1/contacts/${c.id}`, {
      fields: { b: null, c: 3 },
      marketing_opt_out: true,
      phone: "+1 415 555 0111",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: c.id,
      name: "Pat",
      phone: "+14155550111",
      wa_id: "14155550111",
      fields: { a: 1, c: 3 },
      marketing_opt_out: true,
    });
    const clash = await t.api("PATCH", `/api/v1/contacts/${c.id}`, { phone: "+14155550100" });
    expectProblem(clash, 409, "phone");
    expectProblem(await t.api("PATCH", `/api/v1/contacts/${c.id}`, { phone: "12" }), 422, "phone");
    expectProblem(await t.api("PATCH", `/api/v1/contacts/${c.id}`, { wa_id: "1" }), 422, "wa_id");
    expectProblem(await t.api("PATCH", "/api/v1/contacts/nope", { name: "x" }), 404);
    expectProblem(await t.api("GET", "/api/v1/contacts/nope"), 404);
    const same = await t.api("PATCH", `/api/v1/contacts/${c.id}`, {});
    expect(same.body).toMatchObject({ phone: "+14155550111", fields: { a: 1, c: 3 } });
  });

  test("timeline: opened, assigned, message, closed with category and summary, reopened — in order", async () => {
    const channelId = await createChannel(t);
    const contact = (await upsert({ phone: "+14155550120", name: "Tim" })).body;
    const open = () =>
      t.api("POST", "/api/v1/conversations/open", { contact_id: contact.id, channel_id: channelId });
    const id = (await open()).body.conversation.id;
    await t.api("POST", `/api/v1/conversations/${id}/assign`, { type: "agent", agent_id: "a1" });
    await openWindow(t, id);
    await t.api("POST", `/api/v1/conversations/${id}/messages`, { text: "Hi Tim" });
    await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "support", summary: "Fixed it" });
    await open();
    await t.api("PATCH", `/api/v1/contacts/${contact.id}`, { name: "Timothy" });

    const res = await t.api("GET", `/api/v1/contacts/${contact.id}/timeline`);
    expect(res.status).toBe(200);
    const entries = res.body.data;
    expect(entries.map((e: { type: string }) => e.type)).toEqual([
      "conversation.opened",
      "conversation.assigned",
      "message.created",
      "conversation.closed",
      "conversation.reopened",
      "contact.updated",
    ]);
    for (const e of entries.slice(0, 5)) expect(e.conversation_id).toBe(id);
    expect(entries[1]).toMatchObject({
      assignee: { type: "agent", agent_id: "a1" },
      previous: { type: "none" },
    });
    expect(entries[2]).toMatchObject({ direction: "outbound", message_type: "text", preview: "Hi Tim" });
    expect(entries[3]).toMatchObject({
      category: "support",
      category_name: "Support",
      summary: "Fixed it",
      cycle: 1,
      by: { type: "api" },
    });
    expect(entries[3].duration_ms).toBeGreaterThanOrEqual(0);
    // Times in the API are ISO-8601, inside event details too.
    expect(entries[3].opened_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(entries[3].opened_at) - Date.parse(entries[0].at))).toBeLessThan(1000);
    expect(entries[4]).toMatchObject({ cycle: 2 });
    expect(entries[5]).toMatchObject({ changes: ["name"] });
    const times = entries.map((e: { at: string }) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // The timeline pages too.
    const page1 = await t.api("GET", `/api/v1/contacts/${contact.id}/timeline?limit=4`);
    expect(page1.body.data).toHaveLength(4);
    const page2 = await t.api(
      "GET",
      `/api/v1/contacts/${contact.id}/timeline?limit=4&cursor=${encodeURIComponent(page1.body.next_cursor)}`,
    );
    expect([...ids(page1), ...ids(page2)]).toEqual(ids(res));
    expect(page2.body.next_cursor).toBeNull();
    expectProblem(await t.api("GET", "/api/v1/contacts/nope/timeline"), 404);
  });
});
