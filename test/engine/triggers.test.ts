import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ingestInboundMessage } from "../../src/channels/whatsapp/ingest/ingestInboundMessage.ts";
import { newId } from "../../src/core/newId.ts";
import { channelStore } from "../../src/store/channelStore.ts";
import { inTransaction } from "../../src/store/inTransaction.ts";
import { createContact, nextPhone, openConversation } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates } from "./engineSupport.ts";
import { createWorkflow, runReaches } from "./workflowHelpers.ts";

const note = [{ id: "note", type: "add_comment", text: "{{ trigger.event }}" }];

describe.each(engines)("workflow triggers on %s", (engine) => {
  let t: TestApp;
  let channelId: string;
  beforeAll(async () => {
    t = await startTestApp(engine, { workflows: true });
    channelId = await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  const runsOf = async (workflowId: string) =>
    (await t.api("GET", `/api/v1/workflows/${workflowId}/runs`)).body.data as any[];
  const firstRun = (workflowId: string) =>
    waitFor(`a run of ${workflowId}`, async () => (await runsOf(workflowId))[0]);

  test("conversation_opened and conversation_closed (filtered by category) start runs on the conversation", async () => {
    const opened = await createWorkflow(t, {
      name: "on-open",
      trigger: { type: "conversation_opened" },
      steps: note,
    });
    const closed = await createWorkflow(t, {
      name: "feedback-after-support",
      trigger: { type: "conversation_closed", categories: ["Support"] },
      steps: [
        {
          id: "thanks",
          type: "update_contact",
          fields: { last_close: "{{ trigger.category.key }}: {{ trigger.summary }}" },
        },
      ],
    });
    const contactId = await createContact(t);
    const { conversation } = await openConversation(t, { contact_id: contactId, channel_id: channelId });
    const openRun = await runReaches(t, (await firstRun(opened.id)).id, "completed");
    expect(openRun).toMatchObject({ contact_id: contactId, conversation_id: conversation.id });

    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, { category: "sales" });
    await openConversation(t, { contact_id: contactId, channel_id: channelId });
    await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, {
      category: "support",
      summary: "Fixed",
    });
    const closeRun = await runReaches(t, (await firstRun(closed.id)).id, "completed");
    expect(closeRun.conversation_id).toBe(conversation.id);
    expect((await runsOf(closed.id)).length).toBe(1); // the sales close did not match
    expect((await t.api("GET", `/api/v1/contacts/${contactId}`)).body.fields.last_close).toBe(
      "support: Fixed",
    );
    expect((await runsOf(opened.id)).length).toBe(2); // opened, then reopened
  });

  test("contact_updated fires on the watched field, not on others, and not on the workflow's own update", async () => {
    const wf = await createWorkflow(t, {
      name: "on-plan",
      trigger: { type: "contact_updated", fields: ["plan"] },
      steps: [{ id: "echo", type: "update_contact", fields: { plan: "{{ contact.fields.plan }}-seen" } }],
    });
    const contactId = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { fields: { city: "Pune" } });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { fields: { plan: "gold" } });
    await runReaches(t, (await firstRun(wf.id)).id, "completed");
    await new Promise((r) => setTimeout(r, 300));
    expect((await runsOf(wf.id)).length).toBe(1);
    expect((await t.api("GET", `/api/v1/contacts/${contactId}`)).body.fields.plan).toBe("gold-seen");
  });

  test("contact_updated with tags fires when the contact gains one, not on other tag changes or its removal", async () => {
    const wf = await createWorkflow(t, {
      name: "on-vip",
      // Not "plan": the on-plan workflow above would answer that with a change of its own.
      trigger: { type: "contact_updated", fields: ["tier"], tags: ["vip"] },
      steps: [{ id: "seen", type: "update_contact", fields: { seen: "{{ trigger.event }}" } }],
    });
    const contactId = await createContact(t);
    const runCount = async () => (await runsOf(wf.id)).filter((r) => r.contact_id === contactId).length;
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["new"] });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["new", "vip"] });
    await waitFor("the gained vip's run", async () => (await runCount()) >= 1);
    // Already vip: another tag coming and going is no gain; nor is losing vip.
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["vip", "unrelated"] });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["vip"] });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: [] });
    // A workflow's own tag changes count the same way (update_contact writes the same event).
    const tagger = await createWorkflow(t, {
      name: "tagger",
      trigger: { type: "manual" },
      steps: [{ id: "tag", type: "update_contact", add_tags: ["other"] }],
    });
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["vip"] });
    await waitFor("vip gained again", async () => (await runCount()) >= 2);
    const manual = await t.api("POST", `/api/v1/workflows/${tagger.id}/runs`, { contact_ids: [contactId] });
    expect(manual.status, manual.text).toBe(202);
    await waitFor("the tagger's run", async () => {
      const runs = (await t.api("GET", `/api/v1/workflows/${tagger.id}/runs`)).body.data as any[];
      return runs[0]?.status === "completed";
    });
    // A watched field still fires, tags or not.
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { fields: { tier: "gold" } });
    await waitFor("the tier's run", async () => (await runCount()) >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runCount()).toBe(3);
    const timeline = await t.api("GET", `/api/v1/contacts/${contactId}/timeline?types=contact.updated`);
    expect(timeline.body.data.slice(0, 2)).toMatchObject([
      { changes: ["tags"], tags_added: ["new"], tags_removed: [] },
      { changes: ["tags"], tags_added: ["vip"], tags_removed: [] },
    ]);
  });

  test("date_field: 24 h before the contact's appointment, once per contact and value", async () => {
    const wf = await createWorkflow(t, {
      name: "reminder",
      trigger: { type: "date_field", field: "appointment_at", offset: "-PT24H" },
      steps: [{ id: "n", type: "update_contact", fields: { reminded_for: "{{ trigger.value }}" } }],
    });
    const soon = new Date(Date.now() + 23 * 3_600_000).toISOString();
    const later = new Date(Date.now() + 72 * 3_600_000).toISOString();
    const due = await createContact(t);
    const notYet = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${due}`, { fields: { appointment_at: soon } });
    await t.api("PATCH", `/api/v1/contacts/${notYet}`, { fields: { appointment_at: later } });
    await t.parley.workflows.scheduler.tick(true);
    await t.parley.workflows.scheduler.tick(true);
    const run = await runReaches(t, (await firstRun(wf.id)).id, "completed");
    expect(run.contact_id).toBe(due);
    expect((await runsOf(wf.id)).length).toBe(1);
  });

  test("schedule: a cron trigger starts a batch over its audience", async () => {
    const a = await createContact(t);
    const b = await createContact(t);
    await createContact(t);
    for (const id of [a, b]) await t.api("PATCH", `/api/v1/contacts/${id}`, { tags: ["newsletter"] });
    const wf = await createWorkflow(t, {
      name: "every-minute",
      trigger: {
        type: "schedule",
        cron: "* * * * *",
        timezone: "Europe/Berlin",
        audience: { tags: ["newsletter"] },
      },
      steps: [{ id: "x", type: "wait", duration: "PT0S" }],
    });
    // A cron has minutes at the finest: make the next one due now rather than wait for it.
    await t.parley.deps.store.db
      .updateTable("workflows")
      .set({ schedule_next_at: Date.now() - 1 })
      .where("id", "=", wf.id)
      .execute();
    const runs = await waitFor("two scheduled runs", async () => {
      const r = await runsOf(wf.id);
      return r.length >= 2 ? r : null;
    });
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
    expect(new Set(runs.map((r) => r.contact_id))).toEqual(new Set([a, b]));
    const batch = (await t.api("GET", `/api/v1/workflow-batches/${runs[0].batch_id}`)).body;
    expect(batch.total).toBe(2);
  });

  test("manual batches report progress: total, done, failed, skipped", async () => {
    const wf = await createWorkflow(t, {
      name: "manual-batch",
      trigger: { type: "manual" },
      steps: [
        { id: "open", type: "open_conversation" },
        { id: "close", type: "close_conversation", category: "general-inquiry" },
      ],
    });
    const ok1 = await createContact(t);
    const ok2 = await createContact(t);
    const out = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${out}`, { opted_out: true });
    const res = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, {
      contact_ids: [ok1, ok2, out],
      data: { campaign: "x" },
    });
    expect(res.status).toBe(202);
    expect(res.body.total).toBe(3);
    const done = await waitFor("batch done", async () => {
      const b = (await t.api("GET", `/api/v1/workflow-batches/${res.body.batch_id}`)).body;
      return b.pending === 0 ? b : null;
    });
    expect(done).toMatchObject({ total: 3, done: 2, skipped: 1, failed: 0 });
  });

  test("a run finishes on the version it started with", async () => {
    const def = (summary: string) => ({
      name: "versioned",
      trigger: { type: "manual" },
      steps: [
        { id: "open", type: "open_conversation" },
        { id: "w", type: "wait", duration: "PT0.4S" },
        { id: "close", type: "close_conversation", summary },
      ],
    });
    const wf = await createWorkflow(t, def("from v1"));
    const contactId = await createContact(t);
    await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, { contact_ids: [contactId] });
    const run = await firstRun(wf.id);
    await runReaches(t, run.id, "waiting");
    const v2 = await t.api("PUT", `/api/v1/workflows/${wf.id}`, def("from v2"));
    expect(v2.body.version).toBe(2);
    const done = await runReaches(t, run.id, "completed");
    expect(done.version).toBe(1);
    expect((await t.api("GET", `/api/v1/conversations/${done.conversation_id}`)).body.summary).toBe(
      "from v1",
    );
  });
  /** An inbound WhatsApp text stored as the webhook processor stores it (this app runs no simulator). */
  const customerSays = async (text: string) => {
    const ctx = t.parley.deps.store;
    const channel = await channelStore.get(ctx, t.workspaceId, channelId);
    const waId = nextPhone().slice(1);
    const message = { kind: "message" as const, phoneNumberId: "-", wabaId: "-", waId, type: "text" };
    await inTransaction(ctx, (tx) =>
      ingestInboundMessage(ctx, tx, channel, {
        ...message,
        waMessageId: `wamid.${newId()}`,
        timestamp: Date.now(),
        content: { text },
      }),
    );
  };
  /** Stores a definition as a new version behind the API's back, as one saved before its checks existed. */
  const storeUnchecked = async (workflowId: string, definition: Record<string, unknown>) => {
    const db = t.parley.deps.store.db;
    const row = await db
      .selectFrom("workflows")
      .select("version")
      .where("id", "=", workflowId)
      .executeTakeFirstOrThrow();
    const version = row.version + 1;
    const text = JSON.stringify(definition);
    await db
      .insertInto("workflow_versions")
      .values({ workflow_id: workflowId, version, definition: text, created_at: Date.now() })
      .execute();
    await db
      .updateTable("workflows")
      .set({ version, definition: text })
      .where("id", "=", workflowId)
      .execute();
  };
  const messageTexts = async (workflowId: string) => {
    const runs = await runsOf(workflowId);
    return Promise.all(
      runs.map(async (r) =>
        (await t.api("GET", `/api/v1/conversations/${r.conversation_id}/messages`)).body.data.map(
          (m: any) => m.content.text,
        ),
      ),
    );
  };

  test("inbound_message regex keywords run on RE2: case-insensitive, and a catastrophic pattern stays linear", async () => {
    const wf = await createWorkflow(t, {
      name: "regex-keywords",
      trigger: {
        type: "inbound_message",
        when: "always",
        keywords: [
          { match: "regex", value: "^order\\s+\\d+$" },
          // Backtracking needs 2^n steps on n a's and then a "!": 30 froze the server for seconds.
          { match: "regex", value: "(a+)+$" },
        ],
      },
      steps: note,
    });
    await customerSays(`${"a".repeat(4000)}!`);
    await customerSays("ORDER 42");
    await customerSays("AAAA");
    const runs = await waitFor("two runs", async () => {
      const r = await runsOf(wf.id);
      return r.length >= 2 ? r : null;
    });
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
    // Events are dispatched in order: the long text came first and started nothing.
    expect(runs).toHaveLength(2);
    expect((await messageTexts(wf.id)).flat().sort()).toEqual(["AAAA", "ORDER 42"]);
  });

  test("a stored keyword pattern RE2 can't compile matches nothing; the other keywords and workflows still fire", async () => {
    const def = (pattern: string) => ({
      name: "stale-pattern",
      trigger: {
        type: "inbound_message",
        when: "always",
        keywords: [
          { match: "regex", value: pattern },
          { match: "exact", value: "stale keyword check" },
        ],
      },
      steps: note,
    });
    const wf = await createWorkflow(t, def("^hello"));
    await storeUnchecked(wf.id, def("(?<=x)hello ("));
    await customerSays("hello there");
    await customerSays("Stale keyword check");
    const run = await firstRun(wf.id);
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
    expect(await runsOf(wf.id)).toHaveLength(1);
    expect(run.version).toBe(2);
    expect((await messageTexts(wf.id)).flat()).toEqual(["Stale keyword check"]);
  });

  test("a stored branch pattern RE2 can't compile takes else and says so in the step's log", async () => {
    const def = (pattern: string) => ({
      name: "stale-branch",
      trigger: { type: "manual" },
      steps: [
        {
          id: "b",
          type: "branch",
          branches: [{ when: { var: "contact.name", op: "matches", value: pattern }, next: "yes" }],
          else: "no",
        },
        { id: "yes", type: "update_contact", fields: { branch: "yes" }, next: "done" },
        { id: "no", type: "update_contact", fields: { branch: "no" } },
        { id: "done", type: "wait", duration: "PT0S" },
      ],
    });
    const wf = await createWorkflow(t, def("."));
    await storeUnchecked(wf.id, def("(a)\\1"));
    const contactId = await createContact(t, undefined, "Ann");
    await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, { contact_ids: [contactId] });
    const run = await runReaches(t, (await firstRun(wf.id)).id, ["completed", "failed"]);
    expect(run.status, run.error).toBe("completed");
    const branch = run.steps.find((s: any) => s.id === "b");
    expect(branch.detail).toMatchObject({
      branch: "else",
      invalid_patterns: [{ pattern: "(a)\\1", error: expect.stringMatching(/invalid escape sequence/) }],
    });
    expect(run.steps.map((s: any) => s.id)).toEqual(["b", "no", "done"]);
  });
});
