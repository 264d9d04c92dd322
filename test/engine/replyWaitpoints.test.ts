import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { parse } from "yaml";
import { eventOrder } from "../../src/store/eventOrder.ts";
import { type SandboxChannel, sandboxChannel } from "../channels/whatsapp/liveHelpers.ts";
import { ROOT } from "../support/runCli.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { createWorkflow, getRun, nextPhone, runReaches } from "./workflowHelpers.ts";

vi.setConfig({ testTimeout: 120_000 });
const example = (file: string) => parse(readFileSync(join(ROOT, "examples/workflows", file), "utf8"));

/** Which waiting question an inbound message answers: the quoted one, else the latest; never STOP / START. */
describe.each(engines)("replies to waiting questions on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  let postPurchase: string;
  const sim = () => t.parley.sandbox!.simulator;
  const db = () => t.parley.deps.store.db;
  const say = (phone: string, o: { text?: string; reply?: { id: string }; quote?: string }) =>
    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone, ...o });
  const templates = (phone: string) =>
    sim()
      .phoneMessages(phone, ch.phoneNumberId)
      .filter((m) => m.direction === "in" && m.templateName === "order_ready");
  const summary = async (conversationId: string) =>
    (await t.api("GET", `/api/v1/conversations/${conversationId}`)).body.summary;
  const contactByPhone = async (phone: string) =>
    (await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent(phone)}`)).body.data[0];
  const waitpointOf = async (runId: string) =>
    (
      await db()
        .selectFrom("workflow_waitpoints")
        .select("status")
        .where("run_id", "=", runId)
        .orderBy("created_at", "desc")
        .executeTakeFirstOrThrow()
    ).status;

  /** Waits until the trigger dispatcher has read the conversation's `n`th inbound message. */
  async function dispatched(conversationId: string, n: number): Promise<void> {
    const ev = await waitFor(`inbound message ${n} stored`, async () => {
      const rows = await db()
        .selectFrom("events")
        .select(["id", "tx_id", "payload"])
        .where("conversation_id", "=", conversationId)
        .where("type", "=", "message.created")
        .orderBy("id")
        .execute();
      return rows.filter((r) => JSON.parse(r.payload).direction === "inbound")[n - 1] ?? null;
    });
    await waitFor("the dispatcher past it", async () => {
      const c = await db()
        .selectFrom("workflow_cursors")
        .select(["last_event_id", "last_tx_id"])
        .where("name", "=", "triggers")
        .executeTakeFirstOrThrow();
      const at = eventOrder.cursorOf({ tx_id: c.last_tx_id, id: c.last_event_id });
      return eventOrder.before(at, eventOrder.cursorOf(ev)) ? null : true;
    });
  }

  /** Two post-purchase runs for one phone (orders ), both waiting on their order_ready template. */
  async function twoOrders(phone: string, x: string) {
    const runIds: string[] = [];
    for (const order of [`${x}-1`, `${x}-2`]) {
      const res = await t.api("POST", `/api/v1/workflows/${postPurchase}/trigger`, {
        order_id: order,
        customer: { phone, name: "Yara Diaz" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      await runReaches(t, res.body.run_id, "waiting");
      runIds.push(res.body.run_id);
    }
    const [first, second] = runIds as [string, string];
    const conversationId = (await getRun(t, first)).conversation_id;
    expect((await getRun(t, second)).conversation_id).toBe(conversationId);
    const [y1, y2] = await waitFor("both templates on the phone", async () =>
      templates(phone).length === 2 ? templates(phone) : null,
    );
    expect(y1?.text).toContain(`${x}-1`);
    expect(y2?.text).toContain(`${x}-2`);
    return { first, second, conversationId, y1: y1!.id, y2: y2!.id };
  }

  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
    postPurchase = (await createWorkflow(t, example("post-purchase-follow-up.yaml"))).id;
    await createWorkflow(t, example("registration.yaml"));
  });
  afterAll(() => t.close());

  test("a tap answers only the question of the run whose message it quotes", async () => {
    const phone = nextPhone("1415556");
    const o = await twoOrders(phone, "Y");

    say(phone, { reply: { id: "No" } }); // the simulator taps the latest buttons: Y-2's template
    const second = await runReaches(t, o.second, "completed");
    expect(second.variables.answer).toMatchObject({ id: "No", title: "No" });
    expect(await summary(o.conversationId)).toBe("Order Y-2: No");
    await dispatched(o.conversationId, 1);
    expect(await waitpointOf(o.first)).toBe("waiting");
    expect((await getRun(t, o.first)).status).toBe("waiting");

    // Tapping the answered question's buttons again answers nothing, not the other question.
    say(phone, { reply: { id: "Yes" }, quote: o.y2 });
    await dispatched(o.conversationId, 2);
    expect(await waitpointOf(o.first)).toBe("waiting");
    expect((await getRun(t, o.first)).status).toBe("waiting");

    say(phone, { reply: { id: "Yes" }, quote: o.y1 });
    const first = await runReaches(t, o.first, "completed");
    expect(first.variables.answer).toMatchObject({ id: "Yes", title: "Yes" });
    expect(first.steps.map((s: { id: string }) => s.id)).toEqual([
      "open",
      "ask",
      "ask",
      "route",
      "link",
      "close",
    ]);
    expect(await summary(o.conversationId)).toBe("Order Y-1: Yes");
  });

  test("a reply that quotes nothing answers only the question asked last", async () => {
    const phone = nextPhone("1415556");
    const o = await twoOrders(phone, "Z");
    say(phone, { text: "no thanks" });
    const second = await runReaches(t, o.second, "completed");
    expect(second.variables.answer).toMatchObject({ text: "no thanks", type: "text" });
    expect(await summary(o.conversationId)).toBe("Order Z-2: no thanks");
    await dispatched(o.conversationId, 1);
    expect(await waitpointOf(o.first)).toBe("waiting");
    expect((await getRun(t, o.first)).status).toBe("waiting");
  });

  /** A workflow that any message containing "stop" would start, and a reader of its runs. */
  const stopListener = async (name: string) => {
    const listener = await createWorkflow(t, {
      name,
      trigger: { type: "inbound_message", when: "always", keywords: [{ match: "contains", value: "stop" }] },
      steps: [{ id: "note", type: "add_comment", text: "heard {{ trigger.message.text }}" }],
    });
    const runs = async () =>
      (await t.api("GET", `/api/v1/workflows/${listener.id}/runs`)).body.data as { id: string }[];
    return { listener, listenerRuns: runs };
  };

  test("STOP and START answer no question and start no inbound_message workflow", async () => {
    const { listener, listenerRuns } = await stopListener("Stop listener");
    try {
      const phone = nextPhone("1415556");
      say(phone, { text: "register" });
      await waitFor("name question", async () =>
        sim()
          .phoneMessages(phone, ch.phoneNumberId)
          .find((m) => m.text?.includes("What's your full name?")),
      );
      const contact = await contactByPhone(phone);
      const runs = await db()
        .selectFrom("workflow_runs")
        .select(["id", "conversation_id"])
        .where("contact_id", "=", contact.id)
        .execute();
      expect(runs).toHaveLength(1);
      const { id: runId, conversation_id: conversationId } = runs[0]!;

      say(phone, { text: "STOP" });
      await dispatched(conversationId!, 2);
      const stopped = await contactByPhone(phone);
      expect(stopped.opted_out).toBe(true);
      expect(stopped.fields.full_name).toBeUndefined();
      expect(await waitpointOf(runId)).toBe("waiting");
      const run = await getRun(t, runId);
      expect(run).toMatchObject({ status: "waiting", current_step: "ask_name" });
      expect(run.variables.full_name).toBeUndefined();
      expect(await listenerRuns()).toEqual([]);

      say(phone, { text: "start" });
      await dispatched(conversationId!, 3);
      expect((await contactByPhone(phone)).opted_out).toBe(false);
      expect(await waitpointOf(runId)).toBe("waiting");

      // The question still takes the real answer.
      say(phone, { text: "Riya Sharma" });
      await waitFor("email question", async () =>
        sim()
          .phoneMessages(phone, ch.phoneNumberId)
          .find((m) => m.text?.includes("Thanks Riya Sharma!")),
      );
      expect((await contactByPhone(phone)).fields.full_name).toBe("Riya Sharma");
      expect(await listenerRuns()).toEqual([]);
    } finally {
      await t.api("POST", `/api/v1/workflows/${listener.id}/disable`);
    }
  });

  test("STOP with no question waiting starts no inbound_message workflow; other text does", async () => {
    const { listener, listenerRuns } = await stopListener("Stop listener 2");
    try {
      const phone = nextPhone("1415556");
      say(phone, { text: "Stop" });
      const contact = await waitFor("contact opted out", async () => {
        const c = await contactByPhone(phone);
        return c?.opted_out ? c : null;
      });
      const conv = await db()
        .selectFrom("conversations")
        .select("id")
        .where("contact_id", "=", contact.id)
        .executeTakeFirstOrThrow();
      await dispatched(conv.id, 1);
      expect(await listenerRuns()).toEqual([]);
      say(phone, { text: "please stop writing" });
      await waitFor("a listener run", async () => ((await listenerRuns()).length === 1 ? true : null));
    } finally {
      await t.api("POST", `/api/v1/workflows/${listener.id}/disable`);
    }
  });
});
