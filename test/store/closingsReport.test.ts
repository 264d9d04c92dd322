import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashApiKey, workspaceStore } from "../../src/store/workspaceStore.ts";
import { createChannel, createContact } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("closings, report medians and API keys with a controlled clock on %s", (engine) => {
  let t: TestApp;
  let clock = Date.UTC(2025, 0, 10, 12);
  let channelId: string;

  beforeAll(async () => {
    t = await startTestApp(engine, { now: () => clock });
    channelId = await createChannel(t);
  });
  afterAll(() => t.close());

  /** Opens a conversation for a new contact, lets `ms` pass, and closes it under `category`. */
  async function cycle(ms: number, category: string) {
    const contactId = await createContact(t);
    const open = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: channelId,
    });
    clock += ms;
    const closed = await t.api("POST", `/api/v1/conversations/${open.body.conversation.id}/close`, {
      category,
    });
    expect(closed.status).toBe(200);
    return open.body.conversation.id as string;
  }

  test("durations are exact and medians are per category", async () => {
    const id = await cycle(1_000, "sales");
    await cycle(10_000, "sales");
    await cycle(3_000, "sales");
    await cycle(2_000, "support");
    await cycle(4_000, "support");
    const closings = await t.api("GET", `/api/v1/conversations/${id}/closings`);
    expect(closings.body.data[0]).toMatchObject({
      duration_ms: 1_000,
      opened_at: new Date(Date.UTC(2025, 0, 10, 12)).toISOString(),
      closed_at: new Date(Date.UTC(2025, 0, 10, 12) + 1_000).toISOString(),
    });
    const report = await t.api("GET", "/api/v1/reports/closes-by-category");
    expect(report.body.data).toEqual([
      { category: { key: "sales", name: "Sales" }, count: 3, median_duration_ms: 3_000 },
      { category: { key: "support", name: "Support" }, count: 2, median_duration_ms: 3_000 },
    ]);
    expect(report.body.to).toBe(new Date(clock + 1).toISOString());
  });

  test("the report window is [from, to): closes outside it are not counted", async () => {
    const start = clock;
    await cycle(500, "general-inquiry");
    const closedAt = new Date(start + 500).toISOString();
    const upTo = await t.api("GET", `/api/v1/reports/closes-by-category?to=${closedAt}`);
    expect(upTo.body.data.find((r: any) => r.category?.key === "general-inquiry")).toBeUndefined();
    const from = await t.api("GET", `/api/v1/reports/closes-by-category?from=${closedAt}`);
    expect(from.body.data).toEqual([
      { category: { key: "general-inquiry", name: "General Inquiry" }, count: 1, median_duration_ms: 500 },
    ]);
    // The default window is the last 30 days.
    clock += 31 * 24 * 3600_000;
    expect((await t.api("GET", "/api/v1/reports/closes-by-category")).body.data).toEqual([]);
  });

  test("a renamed category shows its new name on past closings and in the report", async () => {
    const id = await cycle(100, "support");
    await t.api("PATCH", "/api/v1/conversation-categories/support", { name: "Customer Care" });
    const closings = await t.api("GET", `/api/v1/conversations/${id}/closings`);
    expect(closings.body.data[0].category).toEqual({ key: "support", name: "Customer Care" });
    const report = await t.api("GET", "/api/v1/reports/closes-by-category");
    expect(report.body.data).toEqual([
      { category: { key: "support", name: "Customer Care" }, count: 1, median_duration_ms: 100 },
    ]);
  });

  test("API keys are stored as hashes; a revoked key is refused", async () => {
    const { id, key } = await workspaceStore.createApiKey(t.parley.deps.store, t.workspaceId, "temp");
    const row = await t.parley.deps.store.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.prefix).toBe(key.slice(0, 10));
    await t.parley.deps.store.db
      .updateTable("api_keys")
      .set({ revoked_at: clock })
      .where("id", "=", id)
      .execute();
    expectProblem(await t.api("GET", "/api/v1/workspace", undefined, { key }), 401);
  });
});
