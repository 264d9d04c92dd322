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
