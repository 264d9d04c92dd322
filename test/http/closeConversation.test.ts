import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem, ids } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("POST /conversations/:id/close on %s", (engine) => {
  let t: TestApp;
  let channelId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    channelId = await createChannel(t);
  });
  afterAll(() => t.close());

  const fresh = async (channel = channelId) =>
    (await openConversation(t, { contact_id: await createContact(t), channel_id: channel })).conversation.id;
  const close = (id: string, body: unknown) => t.api("POST", `/api/v1/conversations/${id}/close`, body);

  /** Runs `fn` with a closing-notes policy, restoring the optional default afterwards. */
  async function withPolicy(policy: { category?: string; summary?: string }, fn: () => Promise<void>) {
    expect((await t.api("PATCH", "/api/v1/workspace", { closing_notes: policy })).status).toBe(200);
    try {
      await fn();
    } finally {
      await t.api("PATCH", "/api/v1/workspace", {
        closing_notes: { category: "optional", summary: "optional" },
      });
    }
  }

  test("category by key, or by name in any case; the response shows key and name", async () => {
    for (const ref of ["support", "Support", "SUPPORT", "  support  ", "sUpPoRt"]) {
      const res = await close(await fresh(), { category: ref });
      expect(res.status, ref).toBe(200);
      expect(res.body.category).toEqual({ key: "support", name: "Support" });
    }
    const byName = await close(await fresh(), { category: "general inquiry" });
    expect(byName.body.category).toEqual({ key: "general-inquiry", name: "General Inquiry" });
  });

  test("close records closer, time and summary; closing again is 409", async () => {
    const id = await fresh();
    const before = Date.now();
    const res = await close(id, { category: "sales", summary: "  Lead confirmed.  " });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      status: "closed",
      summary: "Lead confirmed.",
      closed_by: { type: "api", id: expect.any(String) },
    });
    expect(Date.parse(res.body.closed_at)).toBeGreaterThanOrEqual(before - 1000);
    const again = expectProblem(await close(id, { category: "support" }), 409);
    expect(again.code).toBe("conflict");
    // The failed second close changed nothing.
    const got = await t.api("GET", `/api/v1/conversations/${id}`);
    expect(got.body).toMatchObject({
      status: "closed",
      category: { key: "sales" },
      summary: "Lead confirmed.",
    });
  });

  test("an empty body closes with no category and no summary under the default policy", async () => {
    const res = await close(await fresh(), {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "closed", category: null, summary: null });
  });

  test("summary of 2,000 characters is accepted; 2,001 is a 422 naming summary", async () => {
    const ok = await close(await fresh(), { summary: "a".repeat(2000) });
    expect(ok.status).toBe(200);
    expect(ok.body.summary).toHaveLength(2000);
    const id = await fresh();
    expectProblem(await close(id, { summary: "a".repeat(2001) }), 422, "summary");
    expect((await t.api("GET", `/api/v1/conversations/${id}`)).body.status).toBe("open");
  });

  test("unknown category is a 422 naming category and listing the choices", async () => {
    const id = await fresh();
    const p = expectProblem(await close(id, { category: "refunds" }), 422, "category");
    expect(p.detail).toMatch(/sales/);
    expect((await t.api("GET", `/api/v1/conversations/${id}`)).body.status).toBe("open");
  });

  test("unknown or mistyped fields are 422s that name them", async () => {
    const id = await fresh();
    expectProblem(await close(id, { category: "sales", reason: "x" }), 422, "reason");
    expectProblem(await close(id, { category: 5 }), 422, "category");
    expectProblem(await close(id, { summary: ["x"] }), 422, "summary");
    expectProblem(await close("no-such-conversation", { category: "sales" }), 404);
  });

  test("closing-notes policy: required category and summary are named when missing", async () => {
    await withPolicy({ category: "required", summary: "required" }, async () => {
      const ws = await t.api("GET", "/api/v1/workspace");
      expect(ws.body.closing_notes).toEqual({ category: "required", summary: "required" });
      const id = await fresh();

      const none = expectProblem(await close(id, {}), 422);
      expect(none.errors?.map((e) => e.field).sort()).toEqual(["category", "summary"]);
      const noSummary = expectProblem(await close(id, { category: "sales" }), 422);
      expect(noSummary.errors?.map((e) => e.field)).toEqual(["summary"]);
      const noCategory = expectProblem(await close(id, { summary: "done" }), 422);
      expect(noCategory.errors?.map((e) => e.field)).toEqual(["category"]);
      const blank = expectProblem(await close(id, { category: " ", summary: "" }), 422);
      expect(blank.errors?.map((e) => e.field).sort()).toEqual(["category", "summary"]);
      const nulls = expectProblem(await close(id, { category: null, summary: null }), 422);
      expect(nulls.errors).toHaveLength(2);
      expect((await t.api("GET", `/api/v1/conversations/${id}`)).body.status).toBe("open");

      const ok = await close(id, { category: "sales", summary: "done" });
      expect(ok.status).toBe(200);
    });
  });

  test("closing-notes policy can require only the summary", async () => {
    await withPolicy({ summary: "required" }, async () => {
      const ws = await t.api("GET", "/api/v1/workspace");
      expect(ws.body.closing_notes).toEqual({ category: "optional", summary: "required" });
      const id = await fresh();
      expectProblem(await close(id, { category: "sales" }), 422, "summary");
      expect((await close(id, { summary: "ok" })).status).toBe(200);
    });
  });

  test("an archived category cannot be used for new closes but stays on past ones", async () => {
    const created = await t.api("POST", "/api/v1/conversation-categories", { name: "Billing" });
    expect(created.status).toBe(201);
    const past = await fresh();
    expect((await close(past, { category: "billing", summary: "paid" })).status).toBe(200);

    const archived = await t.api("PATCH", "/api/v1/conversation-categories/billing", { archived: true });
    expect(archived.body).toMatchObject({ key: "billing", archived: true });
    const now = await fresh();
    expectProblem(await close(now, { category: "billing" }), 422, "category");
    expectProblem(await close(now, { category: "Billing" }), 422, "category");

    const old = await t.api("GET", `/api/v1/conversations/${past}`);
    expect(old.body.category).toEqual({ key: "billing", name: "Billing" });
    const closings = await t.api("GET", `/api/v1/conversations/${past}/closings`);
    expect(closings.body.data[0].category).toEqual({ key: "billing", name: "Billing" });
    expect(ids(await t.api("GET", "/api/v1/conversations?category=billing"))).toContain(past);

    await t.api("PATCH", "/api/v1/conversation-categories/billing", { archived: false });
    expect((await close(now, { category: "billing" })).status).toBe(200);
  });

  test("closed conversations leave status=open and show under status=closed and their category", async () => {
    const id = await fresh();
    expect(ids(await t.api("GET", "/api/v1/conversations?status=open&limit=200"))).toContain(id);
    await close(id, { category: "sales", summary: "bought" });
    expect(ids(await t.api("GET", "/api/v1/conversations?status=open&limit=200"))).not.toContain(id);
    expect(ids(await t.api("GET", "/api/v1/conversations?status=closed&limit=200"))).toContain(id);
    expect(ids(await t.api("GET", "/api/v1/conversations?category=sales&limit=200"))).toContain(id);
    expect(ids(await t.api("GET", "/api/v1/conversations?category=support&limit=200"))).not.toContain(id);
    const counts = await t.api("GET", "/api/v1/conversations/counts");
    expect(counts.body.closed).toBeGreaterThan(0);
  });

  test("one closing record per cycle; the report counts every cycle", async () => {
    const reportChannel = await createChannel(t, 3);
    const contactId = await createContact(t);
    const open = () => openConversation(t, { contact_id: contactId, channel_id: reportChannel });
    const id = (await open()).conversation.id;
    await close(id, { category: "sales", summary: "first" });
    expect((await open()).reopened).toBe(true);
    // A reopened conversation no longer carries the last cycle's category.
    expect(ids(await t.api("GET", "/api/v1/conversations?category=sales&limit=200"))).not.toContain(id);
    await close(id, { category: "Support", summary: "second" });
    expect((await open()).reopened).toBe(true);
    await close(id, { category: "sales", summary: "third" });

    const closings = await t.api("GET", `/api/v1/conversations/${id}/closings`);
    expect(closings.status).toBe(200);
    expect(closings.body.data).toHaveLength(3);
    // Newest first.
    expect(closings.body.data.map((c: { cycle: number }) => c.cycle)).toEqual([3, 2, 1]);
    expect(closings.body.data.map((c: { summary: string }) => c.summary)).toEqual([
      "third",
      "second",
      "first",
    ]);
    for (const c of closings.body.data) {
      expect(c).toMatchObject({
        conversation_id: id,
        contact_id: contactId,
        channel_id: reportChannel,
        closed_by: { type: "api" },
      });
      expect(c.duration_ms).toBeGreaterThanOrEqual(0);
      expect(Date.parse(c.closed_at)).toBeGreaterThanOrEqual(Date.parse(c.opened_at));
    }
    const byContact = await t.api("GET", `/api/v1/contacts/${contactId}/closings`);
    expect(byContact.body.data).toHaveLength(3);

    const report = await t.api("GET", `/api/v1/reports/closes-by-category?channel_id=${reportChannel}`);
    expect(report.status).toBe(200);
    expect(report.body.data).toEqual([
      { category: { key: "sales", name: "Sales" }, count: 2, median_duration_ms: expect.any(Number) },
      { category: { key: "support", name: "Support" }, count: 1, median_duration_ms: expect.any(Number) },
    ]);
    const past = await t.api(
      "GET",
      `/api/v1/reports/closes-by-category?channel_id=${reportChannel}&from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z`,
    );
    expect(past.body.data).toEqual([]);
    expectProblem(
      await t.api(
        "GET",
        "/api/v1/reports/closes-by-category?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z",
      ),
      422,
      "from",
    );
  });

  test("closes without a category are reported under a null category", async () => {
    const ch = await createChannel(t, 4);
    await close(await fresh(ch), {});
    const report = await t.api("GET", `/api/v1/reports/closes-by-category?channel_id=${ch}`);
    expect(report.body.data).toEqual([{ category: null, count: 1, median_duration_ms: expect.any(Number) }]);
  });

  test("concurrent closes of one conversation: exactly one wins, the others get 409", async () => {
    const id = await fresh();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => close(id, { category: "sales", summary: `try ${i}` })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectProblem(r, 409);
    const closings = await t.api("GET", `/api/v1/conversations/${id}/closings`);
    expect(closings.body.data).toHaveLength(1);
  });
});
