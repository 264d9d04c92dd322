import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openIn } from "../../src/store/conversations/openConversation.ts";
import { createContact, openConversation } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { channelWithTemplates } from "./engineSupport.ts";
import { createWorkflow } from "./workflowHelpers.ts";

// On PostgreSQL event ids are handed out at insert but transactions commit in their own order. The dispatcher
// must not move past an event whose transaction has yet to commit, or that event never starts its runs.
describe("trigger dispatch in commit order on postgres", () => {
  let t: TestApp;
  let channelId: string;
  beforeAll(async () => {
    t = await startTestApp("postgres", { workflows: true });
    channelId = await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  test("an event committed after a later-numbered one still starts its run", async () => {
    const wf = await createWorkflow(t, {
      name: "on-open",
      trigger: { type: "conversation_opened" },
      steps: [{ id: "note", type: "add_comment", text: "opened" }],
    });
    const slow = await createContact(t);
    const fast = await createContact(t);
    const store = t.parley.deps.store;

    // Transaction A writes its conversation.opened event first (the lower id) and stays open.
    let commitA!: () => void;
    const aMayCommit = new Promise<void>((r) => {
      commitA = r;
    });
    let aWrote!: () => void;
    const aHasWritten = new Promise<void>((r) => {
      aWrote = r;
    });
    let slowConversation = "";
    const a = store.db.transaction().execute(async (tx) => {
      const opened = await openIn(store, tx, t.workspaceId, {
        contactId: slow,
        channelId,
        by: { type: "api", id: null },
      });
      slowConversation = opened?.id ?? "";
      aWrote();
      await aMayCommit;
    });
    await aHasWritten;

    // B opens another conversation and commits first (the higher id); the dispatcher runs meanwhile.
    const { conversation: fastConversation } = await openConversation(t, {
      contact_id: fast,
      channel_id: channelId,
    });
    await t.parley.workflows.dispatcher.dispatchOnce();
    commitA();
    await a;

    const runs = await waitFor("runs for both conversations", async () => {
      const data = (await t.api("GET", `/api/v1/workflows/${wf.id}/runs`)).body.data as {
        conversation_id: string;
      }[];
      return data.length >= 2 ? data : null;
    });
    expect(runs.map((r) => r.conversation_id).sort()).toEqual([slowConversation, fastConversation.id].sort());
  });
});
