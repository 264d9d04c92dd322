import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createContact, openConversation } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates } from "./engineSupport.ts";
import { createWorkflow, runReaches } from "./workflowHelpers.ts";

describe.each(engines)("trigger dispatcher with nothing listening on %s", (engine) => {
  let t: TestApp;
  let channelId: string;
  beforeAll(async () => {
    t = await startTestApp(engine, { workflows: true });
    channelId = await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  const cursor = async () => {
    const db = t.parley.deps.store.db;
    const row = await db
      .selectFrom("workflow_cursors")
      .select(["last_event_id", "last_tx_id"])
      .where("name", "=", "triggers")
      .executeTakeFirstOrThrow();
    const last = await db
      .selectFrom("events")
      .select(["id", "tx_id"])
      .orderBy("tx_id", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    return { at: Number(row.last_event_id), latest: Number(last.id) };
  };

  test("moves past events no workflow listens to, and a workflow enabled later starts only on new ones", async () => {
    const before = await openConversation(t, { contact_id: await createContact(t), channel_id: channelId });
    await waitFor("the cursor at the latest event", async () => {
      const c = await cursor();
      return c.at === c.latest;
    });

    const wf = await createWorkflow(t, {
      name: "on-open",
      trigger: { type: "conversation_opened" },
      steps: [{ id: "note", type: "add_comment", text: "opened" }],
    });
    const after = await openConversation(t, { contact_id: await createContact(t), channel_id: channelId });
    const run = await waitFor("a run of the new workflow", async () => {
      const runs = (await t.api("GET", `/api/v1/workflows/${wf.id}/runs`)).body.data as any[];
      return runs[0];
    });
    await runReaches(t, run.id, "completed");
    const runs = (await t.api("GET", `/api/v1/workflows/${wf.id}/runs`)).body.data as any[];
    expect(runs.map((r) => r.conversation_id)).toEqual([after.conversation.id]);
    expect(runs.map((r) => r.conversation_id)).not.toContain(before.conversation.id);
  });
});
