import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("GET /reports/activity on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  test("counts opens (new and reopened) and closes per UTC day, per channel, zero-filled", async () => {
    const ch1 = await createChannel(t, 1);
    const ch2 = await createChannel(t, 2);
    const a = await openConversation(t, { contact_id: await createContact(t), channel_id: ch1 });
    await t.api("POST", `/api/v1/conversations/${a.conversation.id}/close`, { category: "sales" });
    await openConversation(t, { contact_id: a.conversation.contact_id, channel_id: ch1 });
    await openConversation(t, { contact_id: await createContact(t), channel_id: ch2 });

    const res = await t.api("GET", "/api/v1/reports/activity");
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.length).toBeGreaterThanOrEqual(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body.data.at(-1)).toEqual({ day: today, opened: 3, closed: 1 });
    expect(res.body.data[0]).toMatchObject({ opened: 0, closed: 0 });

    const one = await t.api("GET", `/api/v1/reports/activity?channel_id=${ch2}`);
    expect(one.body.data.at(-1)).toEqual({ day: today, opened: 1, closed: 0 });
  });

  test("closes by closer: each agent by name, API keys apart, busiest first", async () => {
    const ch = await createChannel(t, 3);
    const setup = await t.api(
      "POST",
      "/api/v1/auth/setup",
      { email: "olive@example.com", name: "Olive", password: "owner password 1" },
      { key: null },
    );
    const cookie = String(setup.headers["set-cookie"]).split(";")[0]!;
    const asOlive = { key: null, headers: { cookie, "x-csrf-token": setup.body.csrf_token } };
    for (let i = 0; i < 2; i++) {
      const c = await openConversation(t, { contact_id: await createContact(t), channel_id: ch });
      const res = await t.api("POST", `/api/v1/conversations/${c.conversation.id}/close`, {}, asOlive);
      expect(res.status, res.text).toBe(200);
    }
    const res = await t.api("GET", `/api/v1/reports/closes-by-closer?channel_id=${ch}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toEqual([
      {
        closed_by: { type: "agent", id: setup.body.user.id },
        name: "Olive",
        count: 2,
        median_duration_ms: expect.any(Number),
      },
    ]);
    const all = await t.api("GET", "/api/v1/reports/closes-by-closer");
    expect(
      all.body.data.map((r: { closed_by: { type: string }; count: number }) => [r.closed_by.type, r.count]),
    ).toEqual([
      ["agent", 2],
      ["api", 1],
    ]);
  });

  test("a backwards or over-long range is a 422 naming from", async () => {
    expectProblem(
      await t.api("GET", "/api/v1/reports/activity?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"),
      422,
      "from",
    );
    expectProblem(
      await t.api("GET", "/api/v1/reports/activity?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"),
      422,
      "from",
    );
  });
});
