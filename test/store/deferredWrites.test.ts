import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deferredWrites } from "../../src/store/deferredWrites.ts";
import { inTransaction } from "../../src/store/inTransaction.ts";
import type { StoreContext } from "../../src/store/storeContext.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const eventRows = (workspaceId: string, tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    workspace_id: workspaceId,
    type: tag,
    contact_id: null,
    conversation_id: null,
    payload: JSON.stringify({ i }),
    created_at: 1,
  }));

async function countEvents(db: StoreContext["db"], tag: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from events where type = ${tag}`.execute(db);
  return Number(r.rows[0]?.n);
}

// Rows a transaction holds for its end: all of them are written when it commits (on PostgreSQL in as few
// statements as the parameter limit allows), none when it fails.
describe.each(engines)("rows held for the end of a transaction on %s", (engine) => {
  let t: TestApp;
  let ctx: StoreContext;
  beforeAll(async () => {
    t = await startTestApp(engine);
    ctx = t.parley.deps.store;
  });
  afterAll(() => t.close());

  test("more rows than one statement may carry are all written at commit", async () => {
    // 12,000 events of 6 columns: more parameters than one PostgreSQL statement can bind (65,535).
    await inTransaction(
      ctx,
      async (tx) => {
        expect(
          deferredWrites.add(tx, "events", eventRows(t.workspaceId, "test.bulk", 12_000), t.workspaceId),
        ).toBe(true);
        expect(await countEvents(tx, "test.bulk")).toBe(0);
      },
      { deferWrites: true },
    );
    expect(await countEvents(ctx.db, "test.bulk")).toBe(12_000);
  });

  test("a held row that breaks a constraint fails the commit, and nothing held is written", async () => {
    const failed = inTransaction(
      ctx,
      async (tx) => {
        deferredWrites.add(tx, "events", eventRows(t.workspaceId, "test.broken", 3), t.workspaceId);
        deferredWrites.add(tx, "conversation_closings", [
          {
            id: "closing-without-conversation",
            workspace_id: t.workspaceId,
            conversation_id: "no-such-conversation",
            contact_id: "c",
            channel_id: "ch",
            cycle: 1,
            category_key: null,
            summary: null,
            closed_by_type: "api",
            closed_by_id: null,
            opened_at: 1,
            closed_at: 2,
            duration_ms: 1,
          },
        ]);
      },
      { deferWrites: "engine" },
    );
    await expect(failed).rejects.toThrow(/foreign key/i);
    expect(await countEvents(ctx.db, "test.broken")).toBe(0);
  });

  test("a transaction that doesn't defer a table is told to write its rows itself", async () => {
    await inTransaction(
      ctx,
      async (tx) => {
        expect(deferredWrites.add(tx, "messages", [])).toBe(false);
        expect(deferredWrites.saveRun(tx, { id: "r" } as never)).toBe(false);
      },
      { deferWrites: true },
    );
  });
});
