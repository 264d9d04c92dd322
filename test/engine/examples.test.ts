import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { parse } from "yaml";
import { type SandboxChannel, sandboxChannel } from "../channels/whatsapp/liveHelpers.ts";
import { ROOT } from "../support/runCli.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { createWorkflow, nextPhone, runReaches } from "./workflowHelpers.ts";

const DIR = join(ROOT, "examples/workflows");
// Each example waits on several runs and phone messages; while the suite's multi-process tests run beside it,
// those waits add up past the default per-test limit.
vi.setConfig({ testTimeout: 120_000 });
const example = (file: string) => parse(readFileSync(join(DIR, file), "utf8"));

/** Every example in examples/workflows, run end to end against the built-in simulator. */
describe.each(engines)("example workflows against the simulator on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  const wf: Record<string, { id: string; hook_url: string | null }> = {};
  const sim = () => t.parley.sandbox!.simulator;
  const say = (phone: string, o: { text?: string; reply?: { id: string } }) =>
    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone, ...o });
  const onPhone = (
    phone: string,
    what: string,
    pred: (m: { text?: string; templateName?: string }) => boolean,
  ) =>
    waitFor(
      what,
      async () =>
        sim()
          .phoneMessages(phone, ch.phoneNumberId)
          .find((m) => m.direction === "in" && pred(m)),
      30_000,
    );
  const contactByPhone = async (phone: string) =>
    (await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent(phone)}`)).body.data[0];
  const latestRun = (workflowId: string) =>
    waitFor(
      `a run of ${workflowId}`,
      async () => (await t.api("GET", `/api/v1/workflows/${workflowId}/runs`)).body.data[0],
    );
  const closings = (conversationId: string) =>
    t.parley.deps.store.db
      .selectFrom("conversation_closings")
      .select(["category_key", "summary"])
      .where("conversation_id", "=", conversationId)
      .orderBy("closed_at")
      .execute();
  const conversation = async (id: string) => (await t.api("GET", `/api/v1/conversations/${id}`)).body;

  async function addTemplate(name: string, text: string, buttons: string[] = []) {
    const components = [
      { type: "BODY", text },
      ...(buttons.length
        ? [{ type: "BUTTONS", buttons: buttons.map((b) => ({ type: "QUICK_REPLY", text: b })) }]
        : []),
    ];
    sim().upsertTemplate({
      wabaId: ch.wabaId,
      name,
      language: "en",
      category: "UTILITY",
      status: "APPROVED",
      components,
    });
    await t.api("POST", `/api/v1/channels/${ch.id}/templates`, {
      name,
      language: "en",
      category: "UTILITY",
      components,
    });
  }

  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
    await addTemplate("appointment_reminder", "Hi {{1}}, reminder: your appointment is on {{2}}.", [
      "Confirm",
      "Reschedule",
    ]);
    await addTemplate("ticket_received", "Hi {{1}}, we received ticket {{2}}. An agent will reply here.");
    for (const f of readdirSync(DIR).filter((n) => n.endsWith(".yaml")))
      wf[f] = await createWorkflow(t, example(f));
  });
  afterAll(() => t.close());

  test("post-purchase follow-up: a 'No' goes straight to the close", async () => {
    const phone = nextPhone("1415559");
    const res = await t.api("POST", `/api/v1/workflows/${wf["post-purchase-follow-up.yaml"]!.id}/trigger`, {
      order_id: "N-7",
      customer: { phone, name: "Nia Lopez" },
    });
    await runReaches(t, res.body.run_id, "waiting");
    await onPhone(phone, "order template", (m) => m.templateName === "order_ready");
    say(phone, { reply: { id: "No" } });
    const run = await runReaches(t, res.body.run_id, "completed");
    expect((await conversation(run.conversation_id)).summary).toBe("Order N-7: No");
  });

  test("re-engagement campaign: inactive customers get the marketing template; a reply is closed as won", async () => {
    const active = nextPhone("1415559");
    const stopped = nextPhone("1415559");
    for (const p of [active, stopped])
      await t.api("POST", "/api/v1/contacts", { phone: p, name: "Sam Reed", tags: ["customer"] });
    const old = Date.now() - 40 * 86_400_000;
    await t.parley.deps.store.db
      .updateTable("contacts")
      .set({ last_inbound_at: old })
      .where("phone", "in", [active, stopped])
      .execute();
    await t.api("PATCH", `/api/v1/contacts/${(await contactByPhone(stopped)).id}`, {
      marketing_opt_out: true,
    });
    const id = wf["re-engagement-campaign.yaml"]!.id;
    const batch = await t.api("POST", `/api/v1/workflows/${id}/runs`, {});
    expect(batch.body.total).toBe(2);
    await onPhone(active, "we_miss_you", (m) => m.templateName === "we_miss_you");
    say(active, { text: "Oh hi, what's new?" });
    const done = await waitFor("batch finished", async () => {
      const b = (await t.api("GET", `/api/v1/workflow-batches/${batch.body.batch_id}`)).body;
      return b.pending === 0 ? b : null;
    });
    expect(done).toMatchObject({ total: 2, done: 1, skipped: 1 });
    await onPhone(active, "offer", (m) => m.text?.includes("BACK20") ?? false);
    expect((await contactByPhone(active)).tags).toContain("re-engaged");
    expect(sim().phoneMessages(stopped, ch.phoneNumberId)).toEqual([]);
  });

  test("appointment reminder: 24 h before, the customer confirms with a quick reply", async () => {
    const phone = nextPhone("1415559");
    const at = new Date(Date.now() + 23 * 3_600_000).toISOString();
    await t.api("POST", "/api/v1/contacts", { phone, name: "Ana Diaz", fields: { appointment_at: at } });
    await t.parley.workflows.scheduler.tick(true);
    await onPhone(phone, "reminder", (m) => m.templateName === "appointment_reminder");
    say(phone, { reply: { id: "Confirm" } });
    const run = await runReaches(t, (await latestRun(wf["appointment-reminder.yaml"]!.id)).id, "completed");
    expect((await contactByPhone(phone)).fields.appointment_status).toBe("confirmed");
    // Closed under Support (the feedback workflow may reopen it right after, so read the closing record).
    expect(await closings(run.conversation_id)).toEqual([
      { category_key: "support", summary: expect.stringContaining("confirmed") },
    ]);
    await onPhone(phone, "thanks", (m) => m.text?.includes("you're confirmed") ?? false);
  });

  test("support response → resolution → feedback: signed hook, agent assigned, closed with summary, rating saved", async () => {
    const phone = nextPhone("1415559");
    const hook = wf["support-response.yaml"]!.hook_url!;
    const body = JSON.stringify({
      ticket: { id: "T-42", subject: "Broken zipper" },
      requester: { phone, name: "Kim Park" },
    });
    const unsigned = await fetch(`${t.url()}${new URL(hook).pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(unsigned.status).toBe(401);
    const sig = `sha256=${createHmac("sha256", "change-me-to-a-long-random-secret").update(body).digest("hex")}`;
    const signed = await fetch(`${t.url()}${new URL(hook).pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-signature": sig },
      body,
    });
    expect(signed.status).toBe(202);
    const support = await runReaches(t, ((await signed.json()) as { run_id: string }).run_id, "completed");
    expect((await conversation(support.conversation_id)).assignee).toEqual({
      type: "agent",
      agent_id: "support-desk",
    });
    await onPhone(phone, "ticket template", (m) => m.templateName === "ticket_received");

    say(phone, { text: "Thanks, waiting" });
    await waitFor("window open", async () => (await conversation(support.conversation_id)).window_expires_at);
    const solved = await t.api(
      "POST",
      `/api/v1/workflows/${wf["support-ticket-resolution.yaml"]!.id}/trigger`,
      {
        ticket: { id: "T-42" },
        requester: { phone },
        resolution: "Replaced the zipper.",
      },
    );
    const resolution = await runReaches(t, solved.body.run_id, "completed");
    expect(resolution.conversation_id).toBe(support.conversation_id);
    expect(await closings(support.conversation_id)).toEqual([
      { category_key: "support", summary: "Issue fixed: Replaced the zipper." },
    ]);

    await onPhone(phone, "feedback question", (m) => m.text?.includes("How did we do, Kim?") ?? false);
    say(phone, { reply: { id: "good" } });
    const feedback = await runReaches(
      t,
      (await latestRun(wf["feedback-collection.yaml"]!.id)).id,
      "completed",
    );
    expect(feedback.conversation_id).toBe(support.conversation_id);
    expect((await contactByPhone(phone)).fields.last_rating).toBe("good");
    expect(await conversation(support.conversation_id)).toMatchObject({
      status: "closed",
      category: { key: "general-inquiry" },
      summary: "Feedback after support: 👍 Good",
    });
  });

  test("sales completion: thank-you inside the window, tagged, closed under Sales with the deal", async () => {
    const phone = nextPhone("1415559");
    say(phone, { text: "I'll take it" });
    await waitFor("contact", async () => contactByPhone(phone));
    const res = await t.api("POST", `/api/v1/workflows/${wf["sales-completion.yaml"]!.id}/trigger`, {
      contact: { phone, name: "Lee Chen" },
      deal: { id: "D-9", product: "Pro plan", amount: "$1,200" },
    });
    const run = await runReaches(t, res.body.run_id, "completed");
    expect(await conversation(run.conversation_id)).toMatchObject({
      status: "closed",
      category: { key: "sales" },
      summary: "Deal D-9 won: Pro plan for $1,200",
    });
    await onPhone(phone, "thank-you", (m) => m.text?.includes("Pro plan is on its way") ?? false);
    expect((await contactByPhone(phone)).tags).toContain("customer");
  });

  test("registration: keyword trigger, two free-text questions into contact fields, then closed", async () => {
    const phone = nextPhone("1415559");
    say(phone, { text: "Register" });
    await onPhone(phone, "name question", (m) => m.text?.includes("What's your full name?") ?? false);
    say(phone, { text: "Riya Sharma" });
    await onPhone(phone, "email question", (m) => m.text?.includes("Thanks Riya Sharma!") ?? false);
    say(phone, { text: "riya@example.com" });
    const run = await runReaches(t, (await latestRun(wf["registration.yaml"]!.id)).id, "completed");
    const contact = await contactByPhone(phone);
    expect(contact).toMatchObject({
      name: "Riya Sharma",
      fields: { full_name: "Riya Sharma", email: "riya@example.com" },
    });
    expect(contact.tags).toContain("registered");
    expect((await conversation(run.conversation_id)).summary).toBe(
      "Registered Riya Sharma <riya@example.com>",
    );
  });
});
