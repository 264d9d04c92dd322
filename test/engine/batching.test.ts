import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { advanceBatch } from "../../src/engine/advanceBatch.ts";
import { startRunIn } from "../../src/engine/startRunIn.ts";
import { inTransaction } from "../../src/store/inTransaction.ts";
import { workflowStore } from "../../src/store/workflows/workflowStore.ts";
import { createContact } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates, chattingContact } from "./engineSupport.ts";
import { createWorkflow, getRun, nextPhone } from "./workflowHelpers.ts";

const count = async (t: TestApp, query: ReturnType<typeof sql<{ n: number }>>) =>
  Number((await query.execute(t.parley.deps.store.db)).rows[0]?.n);

// Triggers arriving together share one commit and runs are advanced many per transaction: these tests pin down
// that batching never changes what each trigger and run sees, and that one failure stays with its own run.
describe.each(engines)("batched triggers and runs on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { workflows: true });
    await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  test("triggers sent together are each answered with their own run; a repeated order id gets the first run", async () => {
    const wf = await createWorkflow(t, {
      name: "Together",
      frequency_cap: null,
      trigger: {
        type: "webhook",
        contact: { phone: "{{ trigger.phone }}", name: "{{ trigger.name }}" },
        dedupe_key: "{{ trigger.order_id }}",
      },
      steps: [
        {
          id: "open",
          type: "open_conversation",
          message: {
            template: { name: "order_ready", language: "en", body: ["x", "{{ trigger.order_id }}"] },
          },
        },
        {
          id: "close",
          type: "close_conversation",
          category: "sales",
          summary: "Order {{ trigger.order_id }}",
        },
      ],
    });
    const orders = Array.from({ length: 30 }, (_, i) => ({
      order_id: `T-${i}`,
      phone: nextPhone(),
      name: `C ${i}`,
    }));
    // Order T-0 twice in the same burst: the same run, created once.
    const sent = [...orders, orders[0]];
    const answers = await Promise.all(
      sent.map((o) => t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, o)),
    );
    for (const a of answers) expect(a.status, a.text).toBe(202);
    const ids = answers.map((a) => a.body.run_id as string);
    expect(new Set(ids).size).toBe(30);
    expect(ids[30]).toBe(ids[0]);
    expect(answers.filter((a) => a.body.created).length).toBe(30);

    await waitFor("all runs completed", async () => {
      const runs = await Promise.all(ids.slice(0, 30).map((id) => getRun(t, id)));
      return runs.every((r) => r.status === "completed") ? runs : null;
    });
    const first = await getRun(t, ids[0] as string);
    expect(first.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      "open:completed",
      "close:completed",
    ]);
    // Every run's events were written (in bulk, at the end of its batch): one open and one close per contact.
    const wfRuns = sql<{ n: number }>`select count(*) as n from events
      where type = 'conversation.closed' and conversation_id in (select conversation_id from workflow_runs where workflow_id = ${wf.id})`;
    expect(await count(t, wfRuns)).toBe(30);
    const closings = await t.api("GET", `/api/v1/contacts/${first.contact_id}/closings`);
    expect(closings.body.data[0]?.summary).toBe("Order T-0");
    // The close used the row the open and its message had just written: nothing of them was lost on it.
    const stale = sql<{ n: number }>`select count(*) as n from conversations c
      where c.id in (select conversation_id from workflow_runs where workflow_id = ${wf.id})
        and (c.status <> 'closed' or c.close_summary is null
          or c.last_message_at is distinct from (select max(m.created_at) from messages m where m.conversation_id = c.id))`;
    expect(await count(t, stale)).toBe(0);
  });

  test("a conversation's last message time is written whether or not the round closes it after the send", async () => {
    const tpl = (body: string) => ({ template: { name: "order_ready", language: "en", body: ["x", body] } });
    const make = (name: string, close: boolean) =>
      createWorkflow(t, {
        name,
        frequency_cap: null,
        trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" } },
        steps: [
          { id: "open", type: "open_conversation", message: tpl("1") },
          { id: "again", type: "send_message", ...tpl("2") },
          ...(close ? [{ id: "close", type: "close_conversation", category: "sales", summary: "s" }] : []),
        ],
      });
    const closing = await make("Send then close", true);
    const open = await make("Send and stay open", false);
    const answers = await Promise.all(
      [closing, open].flatMap((wf) =>
        Array.from({ length: 10 }, () =>
          t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, { phone: nextPhone() }),
        ),
      ),
    );
    const ids = answers.map((a) => a.body.run_id as string);
    await waitFor("all runs completed", async () => {
      const runs = await Promise.all(ids.map((id) => getRun(t, id)));
      return runs.every((r) => r.status === "completed") ? runs : null;
    });
    const wrong = sql<{ n: number }>`select count(*) as n from conversations c
      where c.id in (select conversation_id from workflow_runs where workflow_id in (${closing.id}, ${open.id}))
        and (c.last_message_at is distinct from (select max(m.created_at) from messages m where m.conversation_id = c.id)
          or c.last_activity_at < c.last_message_at)`;
    expect(await count(t, wrong)).toBe(0);
    const statuses = sql<{ n: number }>`select count(*) as n from conversations c
      where c.status = 'open' and c.id in (select conversation_id from workflow_runs where workflow_id = ${open.id})`;
    expect(await count(t, statuses)).toBe(10);
  });

  test("a run that fails inside a batch fails alone, and nothing of it is written twice", async () => {
    const channelId = (await t.api("GET", "/api/v1/channels")).body.data[0].id as string;
    // Free text outside the 24-hour window is refused: the runs of contacts who never wrote fail at "hello".
    const chatting = await Promise.all(Array.from({ length: 6 }, () => chattingContact(t, channelId)));
    const silent = await Promise.all(Array.from({ length: 6 }, () => createContact(t, nextPhone())));
    const wf = await createWorkflow(t, {
      name: "Mixed batch",
      frequency_cap: null,
      trigger: { type: "manual" },
      steps: [
        {
          id: "open",
          type: "open_conversation",
          message: { template: { name: "order_ready", language: "en", body: ["x", "y"] } },
        },
        { id: "hello", type: "send_message", text: "Thanks for writing to us!" },
        { id: "close", type: "close_conversation", category: "support", summary: "done" },
      ],
    });
    const contactIds = [...chatting.map((c) => c.contactId), ...silent];
    const started = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, { contact_ids: contactIds });
    expect(started.status, started.text).toBe(202);
    const runs = await waitFor("every run ended", async () => {
      const res = await t.api("GET", `/api/v1/workflows/${wf.id}/runs?limit=50`);
      const data = res.body.data as { id: string; status: string; contact_id: string }[];
      return data.length === 12 && data.every((r) => r.status === "completed" || r.status === "failed")
        ? data
        : null;
    });
    const statusOf = new Map(runs.map((r) => [r.contact_id, r.status]));
    for (const c of chatting) expect(statusOf.get(c.contactId)).toBe("completed");
    for (const c of silent) expect(statusOf.get(c)).toBe("failed");

    const failed = await getRun(t, runs.find((r) => r.contact_id === silent[0])?.id as string);
    expect(failed.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      "open:completed",
      "hello:failed",
    ]);
    expect(failed.steps[1].error).toMatch(/window is closed/);
    // The failed runs' first step committed exactly once: one template each, one open event each.
    for (const c of silent) {
      const messages = sql<{
        n: number;
      }>`select count(*) as n from messages where contact_id = ${c} and direction = 'outbound'`;
      expect(await count(t, messages)).toBe(1);
      const opened = sql<{
        n: number;
      }>`select count(*) as n from events where contact_id = ${c} and type in ('conversation.opened', 'conversation.reopened')`;
      expect(await count(t, opened)).toBe(1);
    }
  });

  test("one contact's runs advanced in one transaction count each other's opens against the cap", async () => {
    // No engine of its own: the test drives the five runs as one batch, so the opens the batch writes only at
    // its end must still count for the runs after them.
    const app = await startTestApp(engine);
    try {
      await channelWithTemplates(app);
      const created = await createWorkflow(app, {
        name: "Capped batch",
        frequency_cap: 2,
        trigger: { type: "manual" },
        steps: [
          {
            id: "open",
            type: "open_conversation",
            message: { template: { name: "order_ready", language: "en", body: ["x", "y"] } },
          },
          { id: "close", type: "close_conversation", category: "support", summary: "done" },
        ],
      });
      const store = app.parley.deps.store;
      const workflow = await workflowStore.get(store, app.workspaceId, created.id);
      const contactId = await createContact(app, nextPhone());
      const runIds = await inTransaction(store, async (tx) => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++)
          ids.push((await startRunIn(store, tx, { workflow, contactId, trigger: {} })).runId);
        return ids;
      });
      const env = {
        store,
        log: pino({ level: "silent" }),
        owner: "batch-test",
        leaseMs: 60_000,
        allowPrivateHttp: false,
      };
      await store.db
        .updateTable("workflow_runs")
        .set({ lease_owner: env.owner, lease_until: store.now() + env.leaseMs })
        .where("id", "in", runIds)
        .execute();
      // Nothing handed back: the batch committed as one transaction.
      expect(await advanceBatch(env, runIds)).toEqual([]);
      const outcome = (await Promise.all(runIds.map((id) => getRun(app, id)))).map((r) =>
        r.status === "skipped" ? `skipped:${r.skip_reason}` : r.status,
      );
      expect(outcome).toEqual(["completed", "completed", ...Array(3).fill("skipped:frequency_cap")]);
      const opens = sql<{
        n: number;
      }>`select count(*) as n from business_opens where contact_id = ${contactId}`;
      expect(await count(app, opens)).toBe(2);
      const closings = sql<{
        n: number;
      }>`select count(*) as n from conversation_closings where contact_id = ${contactId}`;
      expect(await count(app, closings)).toBe(2);
    } finally {
      await app.close();
    }
  });
});
