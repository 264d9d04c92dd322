import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type SandboxChannel, sandboxChannel } from "../channels/whatsapp/liveHelpers.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { conversationMessages, createWorkflow, nextPhone, runReaches } from "./workflowHelpers.ts";

const postPurchase = {
  name: "Post-purchase follow-up",
  trigger: {
    type: "webhook",
    contact: { phone: "{{ trigger.customer.phone }}", name: "{{ trigger.customer.name }}" },
    dedupe_key: "{{ trigger.order_id }}",
  },
  steps: [
    {
      id: "open",
      type: "open_conversation",
      assign: { type: "bot" },
      message: {
        text: "Hi {{ contact.first_name }}, your order {{ trigger.order_id }} is ready. Track it now?",
        template: {
          name: "order_ready",
          language: "en",
          body: ["{{ contact.first_name }}", "{{ trigger.order_id }}"],
        },
      },
    },
    { id: "ask", type: "ask_question", save_as: "answer", timeout: "PT24H", on_timeout: "close" },
    {
      id: "route",
      type: "branch",
      branches: [{ when: { var: "answer.id", op: "eq", value: "yes" }, next: "link" }],
      else: "close",
    },
    {
      id: "link",
      type: "send_message",
      text: "Track it here: https://shop.example/t/{{ trigger.order_id }}",
    },
    {
      id: "close",
      type: "close_conversation",
      category: "sales",
      summary: "Order {{ trigger.order_id }}: {{ answer.title | default: 'no reply' }}",
    },
  ],
};

describe.each(engines)("post-purchase follow-up end to end on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());
  const sim = () => t.parley.sandbox!.simulator;

  test("webhook → template outside the window → customer taps Yes → link → closed with a templated summary", async () => {
    const wf = await createWorkflow(t, postPurchase);
    const phone = nextPhone();
    const trig = await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, {
      order_id: "A-1001",
      customer: { phone, name: "Riya Sharma" },
    });
    expect(trig.status, JSON.stringify(trig.body)).toBe(202);
    const runId = trig.body.run_id;

    const waiting = await runReaches(t, runId, "waiting");
    expect(waiting.current_step).toBe("ask");
    expect(waiting.conversation_id).toBeTruthy();
    await waitFor("template on the phone", async () =>
      sim()
        .phoneMessages(phone, ch.phoneNumberId)
        .find((m) => m.templateName === "order_ready"),
    );
    const onPhone = sim().phoneMessages(phone, ch.phoneNumberId);
    expect(onPhone[0]?.text).toContain("Hi Riya, your order A-1001 is ready");

    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone, reply: { id: "Yes" } });
    const done = await runReaches(t, runId, "completed");
    expect(done.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      "open:completed",
      "ask:waiting",
      "ask:completed",
      "route:completed",
      "link:completed",
      "close:completed",
    ]);
    expect(done.variables.answer).toMatchObject({ id: "Yes", title: "Yes" });
    // The wait's entry ended when the answer came: nothing in a finished run's log is left open.
    const [asked, answered] = done.steps.filter((s: { id: string }) => s.id === "ask");
    expect(Date.parse(asked.finished_at)).toBeGreaterThanOrEqual(Date.parse(asked.started_at));
    expect(Date.parse(asked.finished_at)).toBeLessThanOrEqual(Date.parse(answered.started_at));
    expect(done.steps.every((s: { finished_at: string | null }) => s.finished_at !== null)).toBe(true);

    const conv = await t.api("GET", `/api/v1/conversations/${done.conversation_id}`);
    expect(conv.body).toMatchObject({
      status: "closed",
      category: { key: "sales" },
      summary: "Order A-1001: Yes",
      assignee: { type: "bot" },
    });
    const msgs = await conversationMessages(t, done.conversation_id);
    expect(msgs.filter((m) => m.direction === "outbound").map((m) => m.type)).toEqual(["template", "text"]);
    await waitFor("link on the phone", async () =>
      sim()
        .phoneMessages(phone, ch.phoneNumberId)
        .find((m) => m.text?.includes("shop.example/t/A-1001")),
    );
  });

  test("inbound_message (default): only a message that opens the conversation starts a run", async () => {
    const wf = await createWorkflow(t, {
      name: "Help desk",
      trigger: { type: "inbound_message", keywords: [{ match: "contains", value: "help" }] },
      steps: [
        {
          id: "hi",
          type: "send_message",
          text: "Hi! An agent will be with you. ({{ trigger.message.text }})",
        },
      ],
    });
    const runs = async () =>
      (await t.api("GET", `/api/v1/workflows/${wf.id}/runs`)).body.data as { id: string }[];
    const phone = nextPhone();
    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone, text: "I need HELP" });
    const first = await waitFor("a run", async () => (await runs())[0]);
    const done = await runReaches(t, first.id, "completed");
    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone, text: "help, still there?" });
    await waitFor(
      "the second message stored",
      async () => (await conversationMessages(t, done.conversation_id)).length >= 3,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs()).toHaveLength(1);
    await t.api("POST", `/api/v1/conversations/${done.conversation_id}/close`, { category: "support" });
    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone, text: "help me again" });
    await waitFor("a run on the reopened conversation", async () =>
      (await runs()).length === 2 ? true : null,
    );
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
  });

  test("the same dedupe key returns the same run", async () => {
    const wf = await createWorkflow(t, { ...postPurchase, name: "Dedupe check" });
    const body = { order_id: "B-1", customer: { phone: nextPhone(), name: "Ann" } };
    const a = await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, body);
    const b = await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, body);
    expect(a.status).toBe(202);
    expect(b.body).toEqual({ run_id: a.body.run_id, created: false });
  });
});
