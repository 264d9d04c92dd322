import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WORKFLOW_LIMITS } from "../../src/core/workflow/workflowLimits.ts";
import { createContact } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import {
  channelWithTemplates,
  chattingContact,
  quietHoursAroundNow,
  runManual,
  runToEnd,
} from "./engineSupport.ts";
import { conversationMessages, createWorkflow, getRun, runReaches } from "./workflowHelpers.ts";

const trail = (run: { steps: { id: string; status: string }[] }) =>
  run.steps.map((s) => `${s.id}:${s.status}`);

describe.each(engines)("workflow steps on %s", (engine) => {
  let t: TestApp;
  let channelId: string;
  let n = 0;
  const name = () => `wf-${n++}`;
  beforeAll(async () => {
    t = await startTestApp(engine, { workflows: true });
    channelId = await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  test("open inside the window sends the text; send, wait, assign, update contact, comment, close with a templated summary", async () => {
    const { contactId, conversationId } = await chattingContact(t, channelId);
    const wfName = name();
    const run = await runToEnd(
      t,
      {
        name: wfName,
        steps: [
          {
            id: "open",
            type: "open_conversation",
            assign: { type: "bot" },
            message: {
              text: "Hi {{ contact.first_name }}!",
              template: { name: "order_ready", language: "en", body: ["a", "b"] },
            },
          },
          {
            id: "menu",
            type: "send_message",
            text: "Pick one",
            buttons: [
              { id: "a", title: "A" },
              { id: "b", title: "B" },
            ],
          },
          { id: "pause", type: "wait", duration: "PT0.2S" },
          { id: "agent", type: "assign", to: { type: "agent", agent_id: "agent-7" } },
          { id: "tag", type: "update_contact", fields: { plan: "gold", stale: null }, add_tags: ["vip"] },
          {
            id: "note",
            type: "add_comment",
            text: "Upgraded {{ contact.first_name }} to {{ contact.fields.plan }}",
          },
          {
            id: "close",
            type: "close_conversation",
            category: "Support",
            summary: "{{ contact.first_name }} is on {{ contact.fields.plan }}",
          },
        ],
      },
      contactId,
    );
    expect(run.status, JSON.stringify(run)).toBe("completed");
    expect(trail(run)).toEqual([
      "open:completed",
      "menu:completed",
      "pause:waiting",
      "pause:completed",
      "agent:completed",
      "tag:completed",
      "note:completed",
      "close:completed",
    ]);
    expect(run.steps[0].detail).toMatchObject({
      outcome: "unchanged",
      message_kind: "text",
      business_initiated: false,
    });
    expect(run.conversation_id).toBe(conversationId);
    const msgs = await conversationMessages(t, conversationId);
    expect(msgs.map((m) => m.type)).toEqual(["text", "interactive"]);
    expect(msgs[0]?.content).toEqual({ text: "Hi Riya!" });
    const conv = (await t.api("GET", `/api/v1/conversations/${conversationId}`)).body;
    expect(conv).toMatchObject({
      status: "closed",
      category: { key: "support" },
      summary: "Riya is on gold",
      assignee: { type: "agent", agent_id: "agent-7" },
    });
    const contact = (await t.api("GET", `/api/v1/contacts/${contactId}`)).body;
    expect(contact.fields).toEqual({ plan: "gold" });
    expect(contact.tags).toEqual(["vip"]);
    // The note is the team's, like an agent's: listed with its author and on the contact's timeline.
    const comments = await t.api("GET", `/api/v1/conversations/${conversationId}/comments`);
    expect(comments.status, comments.text).toBe(200);
    expect(comments.body).toEqual({
      data: [
        {
          id: expect.any(Number),
          conversation_id: conversationId,
          by: { type: "workflow", id: run.workflow_id, name: wfName },
          text: "Upgraded Riya to gold",
          at: expect.any(String),
        },
      ],
      next_cursor: null,
    });
    const timeline = await t.api(
      "GET",
      `/api/v1/contacts/${contactId}/timeline?types=conversation.commented,conversation.closed`,
    );
    expect(timeline.body.data).toMatchObject([
      {
        type: "conversation.commented",
        conversation_id: conversationId,
        by: { type: "workflow", id: run.workflow_id, name: wfName },
        text: "Upgraded Riya to gold",
      },
      { type: "conversation.closed", conversation_id: conversationId },
    ]);
  });

  test("open outside the window reopens the closed conversation (same id) and sends the template", async () => {
    const { contactId, conversationId } = await chattingContact(t, channelId, "Omar");
    await t.api("POST", `/api/v1/conversations/${conversationId}/close`, { category: "sales" });
    await t.parley.deps.store.db
      .updateTable("conversations")
      .set({ last_inbound_at: Date.now() - 2 * 86_400_000 })
      .where("id", "=", conversationId)
      .execute();
    const run = await runToEnd(
      t,
      {
        name: name(),
        steps: [
          {
            id: "open",
            type: "open_conversation",
            channel: "Main number 1",
            message: {
              text: "free text",
              template: { name: "order_ready", language: "en", body: ["{{ contact.first_name }}", "X-1"] },
            },
          },
        ],
      },
      contactId,
    );
    expect(run.status).toBe("completed");
    expect(run.conversation_id).toBe(conversationId);
    expect(run.steps[0].detail).toMatchObject({
      outcome: "reopened",
      message_kind: "template",
      business_initiated: true,
    });
    const conv = (await t.api("GET", `/api/v1/conversations/${conversationId}`)).body;
    expect(conv).toMatchObject({
      status: "open",
      cycle: 2,
      opened_by: { type: "workflow", id: run.workflow_id },
    });
    const msgs = await conversationMessages(t, conversationId);
    expect(msgs.at(-1)?.content).toMatchObject({ template: { name: "order_ready", body: ["Omar", "X-1"] } });
  });

  test("branch on tags, fields and time; jump_to; trigger_workflow starts another run for the contact", async () => {
    const { contactId } = await chattingContact(t, channelId, "Lee");
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["vip"], fields: { tier: 2 } });
    const child = await runToEnd(
      t,
      { name: "child-flow", steps: [{ id: "c", type: "add_comment", text: "x" }] },
      contactId,
    );
    expect(child.status).toBe("failed"); // no conversation for a comment: a failing step fails the run, named
    expect(child.error).toMatch(/^c: .*open one first/);
    const run = await runToEnd(
      t,
      {
        name: name(),
        steps: [
          { id: "open", type: "open_conversation" },
          {
            id: "b",
            type: "branch",
            branches: [
              { when: { var: "contact.tags", op: "contains", value: "nobody" }, next: "wrong" },
              {
                when: {
                  all: [
                    { var: "contact.fields.tier", op: "gte", value: 2 },
                    { var: "time.hour", op: "gte", value: 0 },
                  ],
                },
                next: "right",
              },
            ],
          },
          { id: "wrong", type: "add_comment", text: "wrong", next: "end" },
          { id: "right", type: "jump_to", target: "spawn" },
          {
            id: "spawn",
            type: "trigger_workflow",
            workflow: "child-flow",
            data: { from: "{{ workflow.name }}" },
          },
          { id: "end", type: "add_comment", text: "end" },
        ],
      },
      contactId,
    );
    expect(trail(run)).toEqual([
      "open:completed",
      "b:completed",
      "right:completed",
      "spawn:completed",
      "end:completed",
    ]);
    const childRunId = run.steps[3].detail.started_run_id;
    const spawned = await runReaches(t, childRunId, ["completed", "failed"]);
    expect(spawned).toMatchObject({
      status: "completed",
      parent_run_id: run.id,
      conversation_id: run.conversation_id,
    });
  });

  test("workflows starting each other stop at the chain depth limit: the run beyond it fails, no more runs", async () => {
    const contactId = await createContact(t);
    const a = await createWorkflow(t, {
      name: "cycle-a",
      trigger: { type: "manual" },
      steps: [{ id: "go", type: "update_contact", add_tags: ["placeholder"] }],
    });
    // B parks before it starts A, so the depth must survive a run's saved context.
    const b = await createWorkflow(t, {
      name: "cycle-b",
      trigger: { type: "manual" },
      steps: [
        { id: "pause", type: "wait", duration: "PT0.05S" },
        { id: "go", type: "trigger_workflow", workflow: "cycle-a" },
      ],
    });
    const put = await t.api("PUT", `/api/v1/workflows/${a.id}`, {
      name: "cycle-a",
      trigger: { type: "manual" },
      steps: [{ id: "go", type: "trigger_workflow", workflow: "cycle-b" }],
    });
    expect(put.status, put.text).toBe(200);
    await t.api("POST", `/api/v1/workflows/${a.id}/runs`, { contact_ids: [contactId] });
    let runId = (await t.api("GET", `/api/v1/workflows/${a.id}/runs`)).body.data[0].id as string;
    const limit = WORKFLOW_LIMITS.chainDepth;
    // The manual run (depth 0) and the next `limit - 1` each start the next; the one at depth `limit` (an A) can't.
    for (let depth = 0; depth < limit; depth++) {
      const run = await runReaches(t, runId, ["completed", "failed"]);
      expect(run.status, `${depth}: ${run.error}`).toBe("completed");
      runId = run.steps.at(-1).detail.started_run_id;
    }
    const last = await runReaches(t, runId, ["completed", "failed"]);
    const message = `trigger_workflow: chain of workflows started by workflows is deeper than ${limit}`;
    expect(last).toMatchObject({ workflow_id: a.id, status: "failed", error: `go: ${message}` });
    expect(last.steps.at(-1)).toMatchObject({ id: "go", status: "failed", error: message });
    const runs = await t.parley.deps.store.db
      .selectFrom("workflow_runs")
      .select("status")
      .where("workflow_id", "in", [a.id, b.id])
      .execute();
    expect(runs.map((r) => r.status).sort()).toEqual([...Array<string>(limit).fill("completed"), "failed"]);
  });

  test("ask_question times out to on_timeout; the free-text question is sent inside the window", async () => {
    const { contactId, conversationId } = await chattingContact(t, channelId, "Tim");
    const run = await runToEnd(
      t,
      {
        name: name(),
        steps: [
          { id: "open", type: "open_conversation" },
          {
            id: "ask",
            type: "ask_question",
            text: "Your email?",
            save_as: "email",
            timeout: "PT0.3S",
            on_timeout: "late",
          },
          { id: "thanks", type: "send_message", text: "Thanks", next: "end" },
          { id: "late", type: "close_conversation", summary: "No answer: {{ email | default: 'none' }}" },
          { id: "end", type: "add_comment", text: "end" },
        ],
      },
      contactId,
    );
    expect(trail(run)).toEqual([
      "open:completed",
      "ask:waiting",
      "ask:completed",
      "late:completed",
      "end:completed",
    ]);
    expect(run.steps[2].detail).toMatchObject({ timed_out: true });
    const conv = (await t.api("GET", `/api/v1/conversations/${conversationId}`)).body;
    expect(conv.summary).toBe("No answer: none");
    expect((await conversationMessages(t, conversationId)).map((m) => m.content.text)).toEqual([
      "Your email?",
    ]);
  });

  test("send_message: list, image and document by link (Liquid inside), and a template", async () => {
    const { contactId, conversationId } = await chattingContact(t, channelId, "Ivy");
    const run = await runToEnd(
      t,
      {
        name: name(),
        steps: [
          { id: "open", type: "open_conversation" },
          {
            id: "list",
            type: "send_message",
            text: "Pick a slot, {{ contact.first_name }}",
            list: { button: "Slots", sections: [{ title: "Today", rows: [{ id: "9", title: "9:00" }] }] },
          },
          {
            id: "img",
            type: "send_message",
            image: {
              link: "https://example.com/{{ contact.first_name }}.png",
              caption: "For {{ contact.first_name }}",
            },
          },
          {
            id: "doc",
            type: "send_message",
            document: { link: "https://example.com/invoice.pdf", filename: "invoice.pdf" },
          },
          {
            id: "tpl",
            type: "send_message",
            template: { name: "order_ready", language: "en", body: ["{{ contact.first_name }}", "Z-1"] },
          },
        ],
      },
      contactId,
    );
    expect(run.status, JSON.stringify(run)).toBe("completed");
    const msgs = await conversationMessages(t, conversationId);
    expect(msgs.map((m) => m.type)).toEqual(["interactive", "image", "document", "template"]);
    expect(msgs[1]?.content).toEqual({ image: { link: "https://example.com/Ivy.png", caption: "For Ivy" } });
  });

  test("a run stops at 1,000 executed steps", async () => {
    const contactId = await createContact(t);
    const run = await runToEnd(
      t,
      {
        name: name(),
        steps: [
          { id: "w", type: "wait", duration: "PT0S" },
          { id: "again", type: "jump_to", target: "w" },
        ],
      },
      contactId,
      ["completed", "failed", "skipped"],
      50_000,
    );
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/limit of 1000 executed steps/);
    expect(run.steps.filter((s: { status: string }) => s.status === "completed")).toHaveLength(1000);
  }, 90_000);

  test("http_request: private networks refused by default, on_error taken; allowed by config, JSON saved", async () => {
    const { default: Fastify } = await import("fastify");
    const echo = Fastify();
    echo.post("/orders/:id", async (req) => ({ id: (req.params as { id: string }).id, got: req.body }));
    await echo.listen({ port: 0, host: "127.0.0.1" });
    const port = (echo.server.address() as { port: number }).port;
    try {
      const { contactId } = await chattingContact(t, channelId, "Ada");
      const def = {
        name: name(),
        steps: [
          { id: "open", type: "open_conversation" },
          {
            id: "call",
            type: "http_request",
            method: "POST",
            url: `http://127.0.0.1:${port}/orders/{{ contact.first_name }}`,
            body: { who: "{{ contact.first_name }}" },
            save_as: "api",
            on_error: "failed",
          },
          {
            id: "ok",
            type: "close_conversation",
            summary: "Order {{ api.body.id }} for {{ api.body.got.who }}",
            next: "done",
          },
          { id: "failed", type: "add_comment", text: "call failed: {{ api.error }}" },
          { id: "done", type: "add_comment", text: "done" },
        ],
      };
      const refused = await runToEnd(t, def, contactId);
      expect(trail(refused)).toEqual([
        "open:completed",
        "call:completed",
        "failed:completed",
        "done:completed",
      ]);
      expect(refused.steps[1].detail.error).toMatch(/private network/);
      // The same server through an IPv6-mapped address (URL parsing turns it into ::ffff:7f00:1).
      const mapped = structuredClone(def);
      mapped.name = name();
      (mapped.steps[1] as { url: string }).url = `http://[::ffff:127.0.0.1]:${port}/orders/x`;
      const viaV6 = await runToEnd(t, mapped, contactId);
      expect(viaV6.steps[1].detail.error).toMatch(/private network/);

      t.parley.workflows.env.allowPrivateHttp = true;
      const allowed = await runToEnd(t, { ...def, name: name() }, contactId);
      expect(trail(allowed)).toEqual(["open:completed", "call:completed", "ok:completed", "done:completed"]);
      expect(allowed.variables.api).toEqual({ status: 200, body: { id: "Ada", got: { who: "Ada" } } });
      const conv = (await t.api("GET", `/api/v1/conversations/${allowed.conversation_id}`)).body;
      expect(conv.summary).toBe("Order Ada for Ada");
    } finally {
      t.parley.workflows.env.allowPrivateHttp = false;
      await echo.close();
    }
  });

  test("cancel stops a waiting run", async () => {
    const contactId = await createContact(t);
    const { runId } = await runManual(
      t,
      {
        name: name(),
        steps: [
          { id: "w", type: "wait", duration: "PT1H" },
          { id: "x", type: "add_comment", text: "x" },
        ],
      },
      contactId,
    );
    await runReaches(t, runId, "waiting");
    const res = await t.api("POST", `/api/v1/workflow-runs/${runId}/cancel`);
    expect(res.body.status).toBe("cancelled");
    expect((await t.api("POST", `/api/v1/workflow-runs/${runId}/cancel`)).status).toBe(409);
    // The step it was parked on is closed with it, at the same time.
    const run = await getRun(t, runId);
    expect(run.finished_at).toEqual(expect.any(String));
    expect(run.steps).toEqual([
      expect.objectContaining({ id: "w", status: "cancelled", finished_at: run.finished_at }),
    ]);
  });

  test("cancel closes the entry of a run a guardrail deferred (quiet hours), at the cancel time", async () => {
    const contactId = await createContact(t);
    await t.api("PATCH", `/api/v1/contacts/${contactId}`, { timezone: "UTC" });
    await quietHoursAroundNow(t);
    try {
      const { runId } = await runManual(
        t,
        {
          name: name(),
          steps: [
            {
              id: "open",
              type: "open_conversation",
              channel: channelId,
              message: { template: { name: "order_ready", language: "en", body: ["a", "b"] } },
            },
          ],
        },
        contactId,
      );
      const parked = await runReaches(t, runId, "waiting");
      expect(parked.steps).toMatchObject([{ id: "open", status: "deferred", skip_reason: "quiet_hours" }]);
      const res = await t.api("POST", `/api/v1/workflow-runs/${runId}/cancel`);
      expect(res.body.status, res.text).toBe("cancelled");
      const run = await getRun(t, runId);
      expect(run.steps).toEqual([
        expect.objectContaining({ id: "open", status: "cancelled", finished_at: run.finished_at }),
      ]);
    } finally {
      await t.api("PATCH", "/api/v1/workspace", { settings: { quiet_hours: null } });
    }
  });

  test("update_contact: a rendered name the contacts API would refuse fails the step; objects render as JSON", async () => {
    const contactId = await createContact(t, undefined, "Asha");
    const rename = {
      name: name(),
      steps: [{ id: "rename", type: "update_contact", name: "{{ trigger.n }}" }],
    };
    const long = await runManual(t, rename, contactId, { n: "x".repeat(5000) });
    const failed = await runReaches(t, long.runId, ["completed", "failed"]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^rename: name: .*200/);
    expect((await t.api("GET", `/api/v1/contacts/${contactId}`)).body.name).toBe("Asha");

    const { runId } = await runManual(
      t,
      { name: name(), steps: [{ ...rename.steps[0], fields: { order: "{{ trigger.order }}" } }] },
      contactId,
      { n: " Asha K ", order: { id: 7, items: ["a"] } },
    );
    expect((await runReaches(t, runId, ["completed", "failed"])).status).toBe("completed");
    expect((await t.api("GET", `/api/v1/contacts/${contactId}`)).body).toMatchObject({
      name: "Asha K",
      fields: { order: '{"id":7,"items":["a"]}' },
    });
  });
});
