import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type TestApp, waitFor } from "../support/testApp.ts";
import { hasChromium, shot, signIn, startSignedIn } from "./browserSupport.ts";

const AGENT = { name: "Ada Agent", email: "ada@acme.test", password: "agent password 1" };
const CUSTOMER = { phone: "+14155550777", name: "Riya Sharma" };

/**
 * The Workflows section in a real browser: a workflow built on the canvas (with a validation error shown on its
 * node first), saved, triggered with the API key, its run and step timeline in the history, the message on the
 * customer's phone; the list's toggles and counts; a manual batch with its progress; agents read-only.
 */
describe.skipIf(!hasChromium)("workflows in the web app", () => {
  let t: TestApp;
  let browser: Browser;
  let ownerCtx: BrowserContext;
  let owner: Page;
  let workflowId = "";

  beforeAll(async () => {
    ({ t, browser, ctx: ownerCtx, owner } = await startSignedIn());
    expect((await t.api("POST", "/api/v1/users", { ...AGENT, role: "agent" })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test("a workflow built on the canvas: an unknown category shows on its node, then it saves", async () => {
    await owner.getByRole("link", { name: "Workflows", exact: true }).click();
    await owner.getByRole("button", { name: "New workflow" }).click();
    await owner.getByLabel("Workflow name").fill("Order ready");
    // The trigger is selected first: a webhook whose payload names the contact.
    const trigger = owner.getByTestId("trigger-form");
    expect(await trigger.getByLabel("Trigger type").inputValue()).toBe("webhook");
    await trigger.getByLabel("Contact phone (Liquid)").fill("{{ trigger.phone }}");
    await trigger.getByLabel("Contact name (Liquid)").fill("{{ trigger.name }}");

    await owner.locator('[data-node="open"]').click();
    const open = owner.getByTestId("step-form");
    await open
      .getByLabel("Message text (inside the window)")
      .fill("Hi {{ contact.first_name }}, order ready.");
    await open.getByLabel("Template name").fill("order_ready");
    await open
      .getByLabel("Parameters (one per line)")
      .fill("{{ contact.first_name }}\n{{ trigger.order_id }}");

    await owner.getByLabel("New step type").selectOption({ label: "Close conversation" });
    await owner.getByRole("button", { name: "Add step" }).click();
    await owner.locator('[data-node="close"]').waitFor();
    expect(await owner.getByTestId("canvas").locator(".react-flow__edge").count()).toBe(2);

    // The YAML view is the same definition: a category typed there reaches the canvas.
    await owner.getByRole("tab", { name: "YAML" }).click();
    const yaml = owner.getByLabel("YAML definition");
    const text = await yaml.inputValue();
    expect(text).toContain("template:");
    await yaml.fill(
      text.replace("type: close_conversation", "type: close_conversation\n    category: refunds"),
    );
    await owner.getByRole("tab", { name: "Canvas" }).click();
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByTestId("save-errors").waitFor();
    const bad = owner.locator('[data-node="close"]');
    expect(await bad.getAttribute("data-invalid")).toBe("true");
    expect(await bad.getByTestId("node-errors").textContent()).toContain('unknown category "refunds"');
    await bad.click();
    await shot(owner, "workflow-error");

    const close = owner.getByTestId("step-form");
    await close.getByLabel("Category").selectOption({ label: "Support" });
    await close.getByLabel("Summary").fill("Order {{ trigger.order_id }} announced");
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved as version 1" }).waitFor();
    await expect.poll(() => new URL(owner.url()).pathname).toMatch(/^\/workflows\/[0-9a-f-]{36}$/);
    workflowId = new URL(owner.url()).pathname.split("/")[2] ?? "";
    expect(await owner.locator('[data-invalid="true"]').count()).toBe(0);
    expect(await owner.getByTestId("unsaved").count()).toBe(0);
    const saved = (await t.api("GET", `/api/v1/workflows/${workflowId}`)).body;
    expect(saved.definition.steps).toMatchObject([
      { id: "open", type: "open_conversation", message: { template: { name: "order_ready" } } },
      { id: "close", type: "close_conversation", category: "support" },
    ]);
  });

  test("triggered with the API key: the run completes, its steps show, the customer got the message", async () => {
    const res = await t.api("POST", `/api/v1/workflows/${workflowId}/trigger`, {
      phone: CUSTOMER.phone,
      name: CUSTOMER.name,
      order_id: "A-2001",
    });
    expect(res.status).toBe(202);
    await owner.getByRole("link", { name: "Runs", exact: true }).click();
    await owner.getByTestId("run-row").first().click();
    const timeline = owner.getByTestId("run-timeline");
    await expect
      .poll(() => timeline.getByTestId("run-status").textContent(), { timeout: 15_000 })
      .toBe("completed");
    const steps = timeline.getByTestId("run-step");
    expect(await steps.count()).toBe(2);
    expect(await steps.first().textContent()).toContain("completed");
    await owner.getByTestId("run-row").filter({ hasText: CUSTOMER.name }).waitFor();
    await shot(owner, "workflow-run");

    const onPhone = await waitFor("the template on the customer's phone", async () => {
      const msgs = (await t.api("GET", `/sandbox/phones/${CUSTOMER.phone.slice(1)}/messages`)).body.data;
      return msgs.find((m: { text: string }) => m.text.includes("A-2001"));
    });
    expect(onPhone.text).toContain("Riya");
    // The same message on the simulated phone, as the customer sees it.
    const phone = await ownerCtx.newPage();
    await phone.goto("/simulate");
    await phone.getByLabel("Customer phone").fill(CUSTOMER.phone);
    await phone.getByTestId("phone-message").filter({ hasText: "A-2001" }).waitFor();
    await phone.close();
    // The run links to its conversation, closed under Support by the workflow.
    await timeline.getByRole("link", { name: "Open in inbox" }).click();
    await owner.getByTestId("marker-category").last().waitFor();
    expect(await owner.getByTestId("marker-category").last().textContent()).toBe("Support");
  });

  test("the list shows trigger, version, runs and the hook URL; the toggle disables", async () => {
    await owner.getByRole("link", { name: "Workflows", exact: true }).click();
    const row = owner.getByTestId("workflow-row").filter({ hasText: "Order ready" });
    await row.getByTestId("run-counts").getByText("1 completed").waitFor();
    expect(await row.textContent()).toMatch(/Webhook.*v1/);
    expect(await row.locator("code").textContent()).toMatch(/\/hooks\/[\w-]{20,}$/);
    await shot(owner, "workflows");
    const toggle = row.getByLabel("Enabled: Order ready");
    await toggle.uncheck();
    await expect
      .poll(async () => (await t.api("GET", `/api/v1/workflows/${workflowId}`)).body.enabled)
      .toBe(false);
    await toggle.check();
    await expect
      .poll(async () => (await t.api("GET", `/api/v1/workflows/${workflowId}`)).body.enabled)
      .toBe(true);
  });

  test("a manual batch starts from the runs page and shows its progress", async () => {
    const wf = await t.api("POST", "/api/v1/workflows", {
      name: "Win back",
      trigger: { type: "manual" },
      steps: [
        {
          id: "open",
          type: "open_conversation",
          message: { template: { name: "order_ready", language: "en", body: ["x", "B-1"] } },
        },
        { id: "close", type: "close_conversation", category: "support" },
      ],
    });
    expect(wf.status).toBe(201);
    await owner.goto(`/workflows/${wf.body.id}/runs`);
    const form = owner.getByTestId("start-batch");
    await form.getByLabel("Or phone numbers").fill("+14155550801, +14155550802");
    await form.getByRole("button", { name: "Start run" }).click();
    const progress = owner.getByTestId("batch-progress");
    await progress.getByText("2 of 2 finished").waitFor({ timeout: 15_000 });
    expect(await progress.textContent()).toContain("2 done");
    await expect.poll(() => owner.getByTestId("run-row").count()).toBe(2);
  });

  test("a waiting run is cancelled from its timeline", async () => {
    const wf = await t.api("POST", "/api/v1/workflows", {
      name: "Patient",
      trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" } },
      steps: [
        { id: "note", type: "update_contact", add_tags: ["patient"] },
        { id: "later", type: "wait", duration: "PT1H" },
      ],
    });
    const run = await t.api("POST", `/api/v1/workflows/${wf.body.id}/trigger`, { phone: "+14155550901" });
    await owner.goto(`/workflows/${wf.body.id}/runs?run=${run.body.run_id}`);
    const timeline = owner.getByTestId("run-timeline");
    await expect
      .poll(() => timeline.getByTestId("run-status").textContent(), { timeout: 15_000 })
      .toBe("waiting");
    await timeline.getByRole("button", { name: "Cancel run" }).click();
    await owner.getByRole("alertdialog").getByRole("button", { name: "Yes, cancel run" }).click();
    await expect.poll(() => timeline.getByTestId("run-status").textContent()).toBe("cancelled");
    await owner.getByTestId("run-row").filter({ hasText: "cancelled" }).waitFor();
  });

  test("branches, timeouts and else draw as edges; dragging a handle onto a step links it", async () => {
    const example = parse(
      readFileSync(new URL("../../examples/workflows/post-purchase-follow-up.yaml", import.meta.url), "utf8"),
    );
    const wf = await t.api("POST", "/api/v1/workflows", example);
    expect(wf.status).toBe(201);
    await owner.goto(`/workflows/${wf.body.id}`);
    await owner.locator('[data-node="route"]').click();
    await owner.getByTestId("step-form").getByText("Branch 1").waitFor();
    // trigger→open, open→ask, ask→route, ask timeout→close, route branch→link, route else→close, link→close
    expect(await owner.locator(".react-flow__edge").count()).toBe(7);
    await shot(owner, "workflow-editor");

    // Drag the "link" step's way out onto "open": the step's `next` becomes "open".
    const handle = owner.locator('[data-node="link"] .react-flow__handle[data-handleid="next"]');
    const target = owner.locator('[data-node="open"]');
    const from = await handle.boundingBox();
    const to = await target.boundingBox();
    if (!from || !to) throw new Error("no boxes");
    await owner.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await owner.mouse.down();
    await owner.mouse.move(to.x + to.width / 2, to.y + 10, { steps: 10 });
    await owner.mouse.up();
    await owner.getByRole("tab", { name: "YAML" }).click();
    await expect
      .poll(() => owner.getByLabel("YAML definition").inputValue())
      .toMatch(/id: link\n.*\n\s+next: open/s);
    // The loop link → open → ask → … passes a question, so the server accepts it.
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();
  });

  test("a node dragged on the canvas keeps its place after save and reload", async () => {
    const example = parse(
      readFileSync(new URL("../../examples/workflows/post-purchase-follow-up.yaml", import.meta.url), "utf8"),
    );
    const wf = await t.api("POST", "/api/v1/workflows", { ...example, name: "Placed nodes" });
    expect(wf.status).toBe(201);
    await owner.goto(`/workflows/${wf.body.id}`);
    const node = owner.locator('.react-flow__node:has([data-node="close"])');
    const before = await node.evaluate(
      (el) => (el as unknown as { style: { transform: string } }).style.transform,
    );
    const box = await node.boundingBox();
    if (!box) throw new Error("no box");
    await owner.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await owner.mouse.down();
    await owner.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2 + 40, { steps: 12 });
    await owner.mouse.up();
    const after = await node.evaluate(
      (el) => (el as unknown as { style: { transform: string } }).style.transform,
    );
    expect(after).not.toBe(before);
    await owner.getByTestId("unsaved").waitFor();
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();

    const saved = (await t.api("GET", `/api/v1/workflows/${wf.body.id}`)).body.definition.layout;
    expect(Object.keys(saved)).toEqual(["close"]);
    expect(after).toBe(`translate(${saved.close.x}px, ${saved.close.y}px)`);
    await owner.reload();
    await expect
      .poll(() => node.evaluate((el) => (el as unknown as { style: { transform: string } }).style.transform))
      .toBe(after);
  });

  test("agents see workflows but can't change them", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 820 }, baseURL: t.url() });
    ctx.setDefaultTimeout(10_000);
    const agent = await ctx.newPage();
    await signIn(agent, AGENT);
    await agent.getByRole("link", { name: "Workflows", exact: true }).click();
    const row = agent.getByTestId("workflow-row").filter({ hasText: "Order ready" });
    await row.waitFor();
    expect(await agent.getByRole("button", { name: "New workflow" }).count()).toBe(0);
    expect(await row.getByLabel("Enabled: Order ready").isDisabled()).toBe(true);
    await row.getByRole("link", { name: "Order ready" }).click();
    await agent.getByText("Read-only").waitFor();
    expect(await agent.getByRole("button", { name: "Save" }).count()).toBe(0);
    expect(await agent.getByTestId("trigger-form").getByLabel("Trigger type").isDisabled()).toBe(true);
    // A waiting run's timeline offers them no Cancel (the API refuses agents that too).
    const waiting = await t.api("POST", "/api/v1/workflows", {
      name: "Patient for agents",
      trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" } },
      steps: [{ id: "later", type: "wait", duration: "PT1H" }],
    });
    const run = await t.api("POST", `/api/v1/workflows/${waiting.body.id}/trigger`, {
      phone: "+14155550902",
    });
    await agent.goto(`/workflows/${waiting.body.id}/runs?run=${run.body.run_id}`);
    const timeline = agent.getByTestId("run-timeline");
    await expect
      .poll(() => timeline.getByTestId("run-status").textContent(), { timeout: 15_000 })
      .toBe("waiting");
    expect(await timeline.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
    await ctx.close();
  });
});
