import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestApp } from "../support/testApp.ts";
import { hasChromium, startSignedIn } from "./browserSupport.ts";

const BRAND = "Acme Care";
/** A full en-US date as toLocaleString writes it ("11/29/2026"). */
const DATES = /\d{1,2}\/\d{1,2}\/\d{4}/g;

/**
 * What a run's timeline and the run history tell an operator: notes from the step log (a message not sent), skip
 * reasons as sentences, an empty filter that says so, compact step times, a confirmation before cancelling; and
 * the workspace's brand instead of the product's name.
 */
describe.skipIf(!hasChromium)("workflow runs in the web app", () => {
  let t: TestApp;
  let browser: Browser;
  let owner: Page;

  const createWorkflow = async (body: Record<string, unknown>) => {
    const res = await t.api("POST", "/api/v1/workflows", body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const trigger = async (workflowId: string, data: Record<string, unknown>) => {
    const res = await t.api("POST", `/api/v1/workflows/${workflowId}/trigger`, data);
    expect(res.status).toBe(202);
    return res.body.run_id as string;
  };
  const openRun = async (workflowId: string, runId: string, status: string) => {
    await owner.goto(`/workflows/${workflowId}/runs?run=${runId}`);
    const timeline = owner.getByTestId("run-timeline");
    await expect
      .poll(() => timeline.getByTestId("run-status").textContent(), { timeout: 15_000 })
      .toBe(status);
    return timeline;
  };
  const webhook = { type: "webhook", contact: { phone: "{{ trigger.phone }}" } };

  beforeAll(async () => {
    ({ t, browser, owner } = await startSignedIn({
      brand: BRAND,
      context: { locale: "en-US", timezoneId: "UTC" },
    }));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test("a text-only open to a closed window says the message was not sent; branches read as words", async () => {
    const id = await createWorkflow({
      name: "Text only",
      trigger: webhook,
      steps: [
        { id: "open", type: "open_conversation", message: { text: "Hi there" } },
        {
          id: "route",
          type: "branch",
          branches: [{ when: { var: "trigger.vip", op: "eq", value: "yes" }, next: "tag" }],
        },
        { id: "tag", type: "update_contact", add_tags: ["vip"] },
      ],
    });
    const runId = await trigger(id, { phone: "+14155550301", vip: "yes" });
    const timeline = await openRun(id, runId, "completed");
    const open = timeline.locator('[data-step="open"]');
    // The API's detail says so; the timeline must too, as a warning.
    const warning = open.getByTestId("step-warning");
    expect(await warning.textContent()).toContain(
      "Not sent: the 24-hour window is closed and the step has no template",
    );
    expect(await warning.getAttribute("role")).toBe("note");
    expect(await open.textContent()).toContain("Opened a new conversation");
    expect(await timeline.locator('[data-step="route"]').getByTestId("step-note").textContent()).toBe(
      "Took branch 1 → tag",
    );
    expect(await timeline.locator('[data-step="tag"]').textContent()).toContain("Changed tags");

    // Steps taken within the same second show their date once.
    expect(await timeline.getByTestId("step-times").count()).toBe(3);
    for (const times of await timeline.getByTestId("step-times").allTextContents())
      expect(times.match(DATES)).toHaveLength(1);
  });

  test("skip reasons read as sentences, with the code kept in the title", async () => {
    const capped = await createWorkflow({
      name: "Capped",
      frequency_cap: 0,
      trigger: webhook,
      steps: [
        {
          id: "open",
          type: "open_conversation",
          message: { template: { name: "order_ready", language: "en", body: ["x", "C-1"] } },
        },
      ],
    });
    const runId = await trigger(capped, { phone: "+14155550302" });
    const timeline = await openRun(capped, runId, "skipped");
    const reason = timeline.locator('[data-step="open"]').getByTestId("step-reason");
    expect(await reason.textContent()).toMatch(/^Reason: Frequency cap reached/);
    expect(await reason.locator("[title]").getAttribute("title")).toBe("frequency_cap");
    expect(await timeline.textContent()).not.toContain("frequency_cap");
    const row = owner.getByTestId("run-row").first();
    await row.getByText("Frequency cap reached", { exact: false }).waitFor();
    expect(await row.textContent()).not.toContain("frequency_cap");

    const once = await createWorkflow({
      name: "Once",
      once_per_contact: true,
      trigger: webhook,
      steps: [{ id: "tag", type: "update_contact", add_tags: ["seen"] }],
    });
    await trigger(once, { phone: "+14155550303" });
    const second = await trigger(once, { phone: "+14155550303" });
    const skipped = await openRun(once, second, "skipped");
    const fact = skipped.locator('[data-reason="once_per_contact"]');
    expect(await fact.textContent()).toBe("Already ran for this contact (once per contact)");
    expect(await fact.getAttribute("title")).toBe("once_per_contact");
  });

  test("a status filter with no matches says so; an empty history says no runs yet", async () => {
    const id = await createWorkflow({
      name: "Filtered",
      trigger: webhook,
      steps: [{ id: "tag", type: "update_contact", add_tags: ["f"] }],
    });
    await owner.goto(`/workflows/${id}/runs`);
    expect(await owner.getByTestId("no-runs").textContent()).toBe("No runs yet.");
    const runId = await trigger(id, { phone: "+14155550304" });
    await openRun(id, runId, "completed");
    await expect.poll(() => owner.getByTestId("run-row").count()).toBe(1);
    await owner.getByLabel("Status").selectOption("failed");
    expect(await owner.getByTestId("no-runs").textContent()).toBe("No failed runs.");
    await owner.getByLabel("Status").selectOption("");
    await expect.poll(() => owner.getByTestId("run-row").count()).toBe(1);
    expect(await owner.getByTestId("no-runs").count()).toBe(0);
  });

  test("a wait shows what it waits until; cancelling asks first", async () => {
    const id = await createWorkflow({
      name: "Patient",
      trigger: webhook,
      steps: [{ id: "later", type: "wait", duration: "PT1H" }],
    });
    const runId = await trigger(id, { phone: "+14155550305" });
    const timeline = await openRun(id, runId, "waiting");
    const times = await timeline.locator('[data-step="later"]').getByTestId("step-times").textContent();
    expect(times).toMatch(
      /, waiting until \d{1,2}:\d{2}:\d{2} [AP]M$|, waiting until \d{1,2}\/\d{1,2}\/\d{4}/,
    );
    const runStatus = async () => (await t.api("GET", `/api/v1/workflow-runs/${runId}`)).body.status;

    const dialog = owner.getByRole("alertdialog", { name: "Cancel this run?" });
    const openDialog = async () => {
      await timeline.getByRole("button", { name: "Cancel run", exact: true }).click();
      await dialog.waitFor();
    };
    // Escape and "Keep running" both leave the run alone.
    await openDialog();
    expect(await dialog.getAttribute("aria-modal")).toBe("true");
    expect(await dialog.textContent()).toContain("can't be undone");
    expect(await owner.locator(":focus").textContent()).toBe("Keep running");
    await owner.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await runStatus()).toBe("waiting");
    await openDialog();
    await dialog.getByRole("button", { name: "Keep running" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await runStatus()).toBe("waiting");
    expect(await timeline.getByTestId("run-status").textContent()).toBe("waiting");

    await openDialog();
    await dialog.getByRole("button", { name: "Yes, cancel run" }).click();
    await expect.poll(() => timeline.getByTestId("run-status").textContent()).toBe("cancelled");
    expect(await runStatus()).toBe("cancelled");
  });

  test("pages name the workspace's brand, not the product", async () => {
    await owner.goto("/settings");
    await owner.getByTestId("add-sandbox").waitFor();
    expect(await owner.locator("section", { hasText: "WhatsApp numbers" }).textContent()).toContain(
      `try ${BRAND} without Meta`,
    );
    for (const path of ["/settings", "/", "/workflows", "/reports", "/simulate", "/account"]) {
      await owner.goto(path);
      await owner.getByTestId("brand").waitFor();
      await owner.locator(".splash").waitFor({ state: "detached" });
      await owner.waitForTimeout(500);
      expect(await owner.locator("body").textContent(), path).not.toMatch(/parley/i);
      expect(await owner.title(), path).toBe(BRAND);
    }
  });
});
