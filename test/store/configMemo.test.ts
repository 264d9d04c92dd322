import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { categoryStore } from "../../src/store/categoryStore.ts";
import { inTransaction } from "../../src/store/inTransaction.ts";
import type { StoreContext } from "../../src/store/storeContext.ts";
import { workspaceStore } from "../../src/store/workspaceStore.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

// Settings, channels, templates and categories are cached across transactions and checked against a counter
// that the database bumps on every change: a transaction must never see an older value than a fresh read.
describe.each(engines)("rarely changing rows cached across transactions on %s", (engine) => {
  let t: TestApp;
  let ctx: StoreContext;
  const inTx = <T>(fn: Parameters<typeof inTransaction<T>>[1]) => inTransaction(ctx, fn);
  beforeAll(async () => {
    t = await startTestApp(engine);
    ctx = t.parley.deps.store;
  });
  afterAll(() => t.close());

  test("two transactions share one read until the workspace changes, then see the change", async () => {
    const first = await inTx((tx) => workspaceStore.getInTx(ctx, t.workspaceId, tx));
    const again = await inTx((tx) => workspaceStore.getInTx(ctx, t.workspaceId, tx));
    expect(again).toBe(first);
    expect(Object.isFrozen(first.settings)).toBe(true);

    await workspaceStore.update(ctx, t.workspaceId, { settings: { frequency_cap: 7 } });
    const changed = await inTx((tx) => workspaceStore.getInTx(ctx, t.workspaceId, tx));
    expect(changed).not.toBe(first);
    expect(changed.settings.frequency_cap).toBe(7);
  });

  test("a change made behind the process's back (plain SQL) is seen too", async () => {
    const before = await inTx((tx) => categoryStore.resolveForClose(ctx, t.workspaceId, "sales", tx));
    await sql`update categories set name = 'Revenue' where workspace_id = ${t.workspaceId} and key = 'sales'`.execute(
      ctx.db,
    );
    const after = await inTx((tx) => categoryStore.resolveForClose(ctx, t.workspaceId, "sales", tx));
    expect(before.name).not.toBe("Revenue");
    expect(after.name).toBe("Revenue");
  });

  test("outside a transaction every call reads afresh", async () => {
    const a = await workspaceStore.getInTx(ctx, t.workspaceId);
    const b = await workspaceStore.getInTx(ctx, t.workspaceId);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
  });
});
