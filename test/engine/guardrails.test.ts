import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import {
  channelWithTemplates,
  chattingContact,
  quietHoursAroundNow,
  runManual,
  runToEnd,
} from "./engineSupport.ts";
import { conversationMessages, createWorkflow, getRun, nextPhone, runReaches } from "./workflowHelpers.ts";

const openWith = (template: string, extra: Record<string, unknown> = {}) => ({
  steps: [
    {
      id: "open",
      type: "open_conversation",
      message: {
        template: { name: template, language: "en", body: template === "order_ready" ? ["a", "b"] : ["a"] },
      },
    },
    { id: "after", type: "add_comment", text: "sent" },
  ],
  ...extra,
});

describe.each(engines)("purposeful-use guardrails on %s", (engine) => {
  let t: TestApp;
  let n = 0;
  let channelId: string;
  const name = () => `guard-${n++}`;
  const outbound = async (conversationId: string) =>
    (await conversationMessages(t, conversationId)).filter((m) => m.direction === "outbound");
  beforeAll(async () => {
    t = await startTestApp(engine, { workflows: true });
    channelId = await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  test("an opted-out contact is skipped with the reason on the run and the step", async () => {
    const contactId = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { opted_out: true });
    const run = await runToEnd(t, { name: name(), ...openWith("order_ready") }, contactId);
    expect(run).toMatchObject({ status: "skipped", skip_reason: "opted_out", conversation_id: null });
    expect(run.steps).toMatchObject([{ id: "open", status: "skipped", skip_reason: "opted_out" }]);
    expect(
      await t.parley.deps.store.db
        .selectFrom("conversations")
        .select("id")
        .where("contact_id", "=", contactId)
        .execute(),
    ).toEqual([]);
  });

  test("inside the 24-hour window too (the STOP opened it), an opted-out contact gets no open and no send", async () => {
    const { contactId, conversationId } = await chattingContact(t, channelId);
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { opted_out: true });
    const opened = await runToEnd(
      t,
      {
        name: name(),
        steps: [{ id: "open", type: "open_conversation", message: { text: "Your order is ready" } }],
      },
      contactId,
    );
    expect(opened).toMatchObject({ status: "skipped", skip_reason: "opted_out" });
    const sent = await runToEnd(
      t,
      {
        name: name(),
        trigger: { type: "manual" },
        steps: [
          // Opening (here: taking over the open conversation) writes nothing to the contact.
          { id: "take", type: "open_conversation", assign: { type: "bot" } },
          { id: "say", type: "send_message", text: "Still there?" },
        ],
      },
      contactId,
    );
    expect(sent.steps).toMatchObject([
      { id: "take", status: "completed" },
      { id: "say", status: "skipped", skip_reason: "opted_out" },
    ]);
    expect(await outbound(conversationId)).toEqual([]);
  });

  test("a business-initiated send (window closed) to a contact who opted out is skipped, not failed", async () => {
    const wf = await createWorkflow(t, {
      name: name(),
      trigger: { type: "conversation_closed", categories: ["sales"] },
      steps: [
        {
          id: "nudge",
          type: "send_message",
          template: { name: "order_ready", language: "en", body: ["a", "b"] },
        },
      ],
    });
    const contactId = await createContact(t);
    const { conversation } = await openConversation(t, { contact_id: contactId, channel_id: channelId });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { opted_out: true });
    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, { category: "sales" });
    const first = await waitFor(
      "a run",
      async () => (await t.api("GET", `/api/v1/workflows/${wf.id}/runs`)).body.data[0],
    );
    const run = await runReaches(t, first.id, ["completed", "failed", "skipped"]);
    expect(run).toMatchObject({ status: "skipped", skip_reason: "opted_out" });
    expect(run.steps).toMatchObject([{ id: "nudge", status: "skipped", skip_reason: "opted_out" }]);
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
  });

  test("a marketing template to a contact who stopped marketing is skipped; a utility one is not", async () => {
    const contactId = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { marketing_opt_out: true });
    const marketing = await runToEnd(t, { name: name(), ...openWith("we_miss_you") }, contactId);
    expect(marketing).toMatchObject({ status: "skipped", skip_reason: "marketing_opt_out" });
    const utility = await runToEnd(t, { name: name(), ...openWith("order_ready") }, contactId);
    expect(utility.status).toBe("completed");
  });

  test("a business-initiated send of a marketing template to a contact who stopped marketing is skipped", async () => {
    const wf = await createWorkflow(t, {
      name: name(),
      trigger: { type: "conversation_closed", categories: ["support"] },
      steps: [
        { id: "promo", type: "send_message", template: { name: "we_miss_you", language: "en", body: ["a"] } },
      ],
    });
    const contactId = await createContact(t);
    const { conversation } = await openConversation(t, { contact_id: contactId, channel_id: channelId });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { marketing_opt_out: true });
    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, { category: "support" });
    const first = await waitFor(
      "a run",
      async () => (await t.api("GET", `/api/v1/workflows/${wf.id}/runs`)).body.data[0],
    );
    const run = await runReaches(t, first.id, ["completed", "failed", "skipped"]);
    expect(run).toMatchObject({ status: "skipped", skip_reason: "marketing_opt_out" });
    expect(run.steps).toMatchObject([{ id: "promo", status: "skipped", skip_reason: "marketing_opt_out" }]);
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
  });

  test("frequency cap: the workspace default is 3 business-initiated opens per rolling 24 h", async () => {
    const contactId = await createContact(t);
    const statuses: string[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await runToEnd(t, { name: name(), ...openWith("order_ready") }, contactId);
      statuses.push(run.status === "skipped" ? `skipped:${run.skip_reason}` : run.status);
    }
    expect(statuses).toEqual(["completed", "completed", "completed", "skipped:frequency_cap"]);
  });

  test("the cap holds for one contact's runs driven side by side (each its own transaction)", async () => {
    // One run per transaction, so that on PostgreSQL the runs race on separate connections.
    const app = await startTestApp(engine, { workflows: true, workflowOptions: { batchSize: 1 } });
    try {
      await channelWithTemplates(app);
      const wf = await createWorkflow(app, {
        name: "burst",
        frequency_cap: 3,
        trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}", name: "{{ trigger.name }}" } },
        steps: [
          {
            id: "open",
            type: "open_conversation",
            // The message reads the contact, so the step's scope takes the contact's lock for the open.
            message: {
              text: "Hi {{ contact.first_name }}",
              template: { name: "order_ready", language: "en", body: ["{{ contact.first_name }}", "1"] },
            },
          },
          { id: "close", type: "close_conversation" },
        ],
      });
      const trigger = { phone: nextPhone(), name: "Sam Lee" };
      const started = await Promise.all(
        Array.from({ length: 8 }, () => app.api("POST", `/api/v1/workflows/${wf.id}/trigger`, trigger)),
      );
      const runs = await Promise.all(
        started.map((r) => runReaches(app, r.body.run_id, ["completed", "skipped", "failed"])),
      );
      const outcome = runs
        .map((r) => (r.status === "skipped" ? `skipped:${r.skip_reason}` : r.status))
        .sort();
      expect(outcome).toEqual([
        "completed",
        "completed",
        "completed",
        ...Array(5).fill("skipped:frequency_cap"),
      ]);
    } finally {
      await app.close();
    }
  });

  test("a workflow can override the cap (1), or lift it (null)", async () => {
    const contactId = await createContact(t);
    const capped = { name: name(), ...openWith("order_ready", { frequency_cap: 1 }) };
    const { workflowId, runId } = await runManual(t, capped, contactId);
    expect((await runReaches(t, runId, ["completed", "skipped"])).status).toBe("completed");
    const second = await t.api("POST", `/api/v1/workflows/${workflowId}/runs`, { contact_ids: [contactId] });
    const batch = await waitBatch(t, second.body.batch_id);
    expect(batch).toMatchObject({ total: 1, skipped: 1 });
    const free = await runToEnd(
      t,
      { name: name(), ...openWith("order_ready", { frequency_cap: null }) },
      contactId,
    );
    expect(free.status).toBe("completed");
  });

  test("quiet hours defer the open until they end, visible on the run", async () => {
    const contactId = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { timezone: "UTC" });
    await quietHoursAroundNow(t);
    try {
      const { runId } = await runManual(t, { name: name(), ...openWith("order_ready") }, contactId);
      const run = await runReaches(t, runId, "waiting");
      expect(run.steps).toMatchObject([{ id: "open", status: "deferred", skip_reason: "quiet_hours" }]);
      const until = Date.parse(run.wake_at);
      expect(until).toBeGreaterThan(Date.now() + 60 * 60_000);
      expect(new Date(until).getUTCMinutes()).toBe(0);
      expect(run.conversation_id).toBeNull();
    } finally {
      await t.api("PATCH", "/api/v1/workspace", { settings: { quiet_hours: null } });
    }
  });

  describe("quiet hours and sends", () => {
    // A fixed +05:30 zone (no DST), so the quiet hours' end is half past an hour in UTC: the contact's zone counts.
    const zone = "Asia/Kolkata";
    const promo = { name: "we_miss_you", language: "en", body: ["a"] };
    const quietAroundNow = () => quietHoursAroundNow(t, 330);
    /** Makes the run's wait (and its wake-up) due now, instead of waiting for it. */
    async function dueNow(runId: string) {
      const db = t.parley.deps.store.db;
      const now = Date.now();
      await db
        .updateTable("workflow_waitpoints")
        .set({ timeout_at: now })
        .where("run_id", "=", runId)
        .where("status", "=", "waiting")
        .execute();
      await db.updateTable("workflow_runs").set({ wake_at: now }).where("id", "=", runId).execute();
    }
    const stepOf = (runId: string, id: string, status: string) =>
      waitFor(`step ${id} ${status}`, async () => {
        const run = await getRun(t, runId);
        return run.steps.some((s: { id: string; status: string }) => s.id === id && s.status === status)
          ? run
          : null;
      });

    test("a business-initiated template send waits out quiet hours in the contact's zone, then goes out", async () => {
      const contactId = await createContact(t);
      await t.api("PATCH", `/api/v1/contacts/${contactId}`, { timezone: zone });
      const { runId } = await runManual(
        t,
        {
          name: name(),
          steps: [
            { id: "open", type: "open_conversation" },
            { id: "pause", type: "wait", duration: "PT1H" },
            { id: "promo", type: "send_message", template: promo },
          ],
        },
        contactId,
      );
      const opened = await runReaches(t, runId, "waiting");
      expect(opened.current_step).toBe("pause");
      try {
        const end = await quietAroundNow();
        await dueNow(runId);
        const deferred = await stepOf(runId, "promo", "deferred");
        expect(deferred).toMatchObject({ status: "waiting", current_step: "promo" });
        expect(deferred.steps.at(-1)).toMatchObject({ id: "promo", skip_reason: "quiet_hours" });
        expect(Date.parse(deferred.wake_at)).toBe(end);
        expect(new Date(end).getUTCMinutes()).toBe(30);
        expect(await outbound(opened.conversation_id)).toEqual([]);
      } finally {
        await t.api("PATCH", "/api/v1/workspace", { settings: { quiet_hours: null } });
      }
      // Quiet hours over (here: lifted): woken, the step runs again and sends.
      await dueNow(runId);
      const done = await runReaches(t, runId, ["completed", "failed", "skipped"]);
      expect(done.status).toBe("completed");
      expect(done.steps.at(-1)).toMatchObject({ id: "promo", status: "completed" });
      expect(await outbound(opened.conversation_id)).toMatchObject([{ type: "template" }]);
    });

    test("inside the contact's 24-hour window, sends go out during quiet hours", async () => {
      const { contactId, conversationId } = await chattingContact(t, channelId);
      await t.api("PATCH", `/api/v1/contacts/${contactId}`, { timezone: zone });
      await quietAroundNow();
      try {
        const run = await runToEnd(
          t,
          {
            name: name(),
            steps: [
              { id: "take", type: "open_conversation" },
              { id: "say", type: "send_message", text: "Your order shipped" },
              { id: "promo", type: "send_message", template: promo },
            ],
          },
          contactId,
        );
        expect(run.status).toBe("completed");
        expect(await outbound(conversationId)).toMatchObject([{ type: "text" }, { type: "template" }]);
      } finally {
        await t.api("PATCH", "/api/v1/workspace", { settings: { quiet_hours: null } });
      }
    });
  });

  test("over the number's daily limit of unique business-initiated contacts, opens queue; known contacts pass", async () => {
    const known = await createContact(t);
    const hourAgo = Date.now() - 3_600_000;
    const rows = Array.from({ length: 250 }, (_, i) => ({
      id: `seed-${engine}-${i}`,
      workspace_id: t.workspaceId,
      contact_id: i === 0 ? known : `someone-${i}`,
      channel_id: channelId,
      run_id: null,
      at: hourAgo + i,
    }));
    await t.parley.deps.store.db.insertInto("business_opens").values(rows).execute();
    await t.api("PATCH", "/api/v1/workspace", { settings: { frequency_cap: null } });
    const limited = await t.api("PATCH", `/api/v1/channels/${channelId}`, { messaging_limit: 250 });
    expect(limited.body.messaging_limit).toBe(250);
    try {
      const { runId } = await runManual(
        t,
        { name: name(), ...openWith("order_ready") },
        await createContact(t),
      );
      const queued = await runReaches(t, runId, "waiting");
      expect(queued.steps).toMatchObject([
        { id: "open", status: "deferred", skip_reason: "messaging_limit" },
      ]);
      expect(Date.parse(queued.wake_at)).toBe(hourAgo + 86_400_000);
      const again = await runToEnd(t, { name: name(), ...openWith("order_ready") }, known);
      expect(again.status).toBe("completed");

      // The number's own tier wins over the workspace default, both ways.
      await t.api("PATCH", `/api/v1/channels/${channelId}`, { messaging_limit: null });
      await t.api("PATCH", "/api/v1/workspace", { settings: { messaging_limit: 250 } });
      const byWorkspace = await runManual(
        t,
        { name: name(), ...openWith("order_ready") },
        await createContact(t),
      );
      expect((await runReaches(t, byWorkspace.runId, "waiting")).steps).toMatchObject([
        { id: "open", status: "deferred", skip_reason: "messaging_limit" },
      ]);
      await t.api("PATCH", `/api/v1/channels/${channelId}`, { messaging_limit: "unlimited" });
      const free = await runToEnd(t, { name: name(), ...openWith("order_ready") }, await createContact(t));
      expect(free.status).toBe("completed");
    } finally {
      await t.api("PATCH", `/api/v1/channels/${channelId}`, { messaging_limit: null });
      await t.api("PATCH", "/api/v1/workspace", { settings: { messaging_limit: null, frequency_cap: 3 } });
      await t.parley.deps.store.db.deleteFrom("business_opens").where("channel_id", "=", channelId).execute();
    }
    expectProblem(
      await t.api("PATCH", `/api/v1/channels/${channelId}`, { messaging_limit: 300 }),
      422,
      "messaging_limit",
    );
  });

  test("once per contact: the second run for a contact is recorded as skipped", async () => {
    const contactId = await createContact(t);
    const def = {
      name: name(),
      once_per_contact: true,
      steps: [{ id: "x", type: "wait", duration: "PT0S" }],
    };
    const { workflowId, runId } = await runManual(t, def, contactId);
    expect((await runReaches(t, runId, "completed")).status).toBe("completed");
    const again = await t.api("POST", `/api/v1/workflows/${workflowId}/runs`, { contact_ids: [contactId] });
    expect(await waitBatch(t, again.body.batch_id)).toMatchObject({ total: 1, skipped: 1, done: 0 });
    const runs = await t.api("GET", `/api/v1/workflows/${workflowId}/runs?status=skipped`);
    expect(runs.body.data[0].skip_reason).toBe("once_per_contact");
  });
});

async function waitBatch(t: TestApp, batchId: string) {
  for (let i = 0; i < 200; i++) {
    const b = (await t.api("GET", `/api/v1/workflow-batches/${batchId}`)).body;
    if (b.pending === 0) return b;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("batch did not finish");
}
