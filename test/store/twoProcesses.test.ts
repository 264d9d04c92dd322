import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contactStore } from "../../src/store/contactStore.ts";
import { closeConversation } from "../../src/store/conversations/closeConversation.ts";
import { openConversation } from "../../src/store/conversations/openConversation.ts";
import { createDatabase, type Database } from "../../src/store/createDatabase.ts";
import { SecretBox } from "../../src/store/secretBox.ts";
import { createStoreContext, type StoreContext } from "../../src/store/storeContext.ts";
import { createChannel } from "../support/conversationHelpers.ts";
import { startTestApp, TEST_SECRET, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

/**
 * Two stores on one database, as `parley serve` and `parley worker` are: the one-open-conversation rule and the
 * one-closing-per-cycle rule must hold across connections, not just inside one process. PostgreSQL only: that is
 * the scale-out engine; SQLite is served by one process (better-sqlite3 is synchronous, so two connections in one
 * process would block each other's event loop).
 */
describe.each(engines.filter((e) => e === "postgres"))("two stores on one %s database", (engine) => {
  let t: TestApp;
  let second: Database;
  let a: StoreContext;
  let b: StoreContext;
  let channelId: string;
  const by = { type: "api" as const, id: "test" };

  beforeAll(async () => {
    t = await startTestApp(engine);
    channelId = await createChannel(t);
    a = t.parley.deps.store;
    second = createDatabase(t.db.url);
    b = createStoreContext(second, new SecretBox(TEST_SECRET));
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  test("concurrent opens from both stores create one conversation", async () => {
    for (let round = 0; round < 3; round++) {
      const { contact } = await contactStore.upsert(a, t.workspaceId, { phone: `+1415555${5000 + round}` });
      const input = { contactId: contact.id, channelId, by };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => openConversation(i % 2 ? a : b, t.workspaceId, input)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
      const rows = await a.db
        .selectFrom("conversations")
        .select("id")
        .where("contact_id", "=", contact.id)
        .where("status", "=", "open")
        .execute();
      expect(rows).toHaveLength(1);
    }
  });

  test("concurrent reopen and close from both stores keep one closing per cycle", async () => {
    const { contact } = await contactStore.upsert(b, t.workspaceId, { phone: "+14155556000" });
    const input = { contactId: contact.id, channelId, by };
    const id = (await openConversation(a, t.workspaceId, input)).conversation.id;
    for (let cycle = 1; cycle <= 3; cycle++) {
      const closes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          closeConversation(i % 2 ? a : b, t.workspaceId, id, {
            category: "sales",
            summary: `c${cycle}`,
            by,
          }),
        ),
      );
      expect(closes.filter((c) => c.status === "fulfilled")).toHaveLength(1);
      for (const c of closes) {
        if (c.status === "rejected") expect(c.reason).toMatchObject({ code: "conflict" });
      }
      const reopens = await Promise.all(
        Array.from({ length: 6 }, (_, i) => openConversation(i % 2 ? a : b, t.workspaceId, input)),
      );
      expect(reopens.filter((r) => r.reopened)).toHaveLength(1);
      expect(reopens.every((r) => r.conversation.id === id && r.conversation.cycle === cycle + 1)).toBe(true);
    }
    const closings = await a.db
      .selectFrom("conversation_closings")
      .select("cycle")
      .where("conversation_id", "=", id)
      .orderBy("cycle")
      .execute();
    expect(closings.map((c) => c.cycle)).toEqual([1, 2, 3]);
  });
});
