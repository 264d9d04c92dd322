import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { TestApp } from "../support/testApp.ts";
import { hasChromium, startSignedIn } from "./browserSupport.ts";

/**
 * The workflow editor's own behaviour in a real browser: edges selected with the mouse or keyboard and deleted,
 * JSON that doesn't parse blocking Save, new branch / jump steps that start valid, save errors that follow their
 * step, the question before leaving with unsaved changes, and the webhook trigger's hook URL and secret.
 */
describe.skipIf(!hasChromium)("the workflow editor", () => {
  let t: TestApp;
  let browser: Browser;
  let owner: Page;

  beforeAll(async () => {
    ({ t, browser, owner } = await startSignedIn());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The post-purchase example as a new workflow, opened in the editor. */
  async function openExample(name: string): Promise<string> {
    const example = parse(
      readFileSync(new URL("../../examples/workflows/post-purchase-follow-up.yaml", import.meta.url), "utf8"),
    );
    const wf = await t.api("POST", "/api/v1/workflows", { ...example, name });
    expect(wf.status).toBe(201);
    await owner.goto(`/workflows/${wf.body.id}`);
    await owner.locator('[data-node="route"]').waitFor();
    return wf.body.id;
  }
  const definition = async (id: string) => (await t.api("GET", `/api/v1/workflows/${id}`)).body;

  test("an edge is selected by clicking it or its label, or with Enter, and Delete removes its link", async () => {
    const id = await openExample("Edges");
    const canvas = owner.getByTestId("canvas");
    // Edges are named by step ids, not the canvas's internal node ids.
    const elseEdge = canvas.getByRole("group", { name: "Link from route to close (else)" });
    expect(await canvas.getByRole("group", { name: /Edge from s\d/ }).count()).toBe(0);

    // Clicking the label selects the edge; Delete clears the branch step's `else`.
    await elseEdge.locator(".react-flow__edge-textwrapper").click();
    await expect.poll(() => elseEdge.getAttribute("class")).toContain("selected");
    await owner.keyboard.press("Delete");
    await elseEdge.waitFor({ state: "detached" });
    // Without `else` the branch step falls through to the following step.
    await expect
      .poll(() =>
        canvas.locator(".react-flow__edge").evaluateAll((es) => es.map((e) => e.getAttribute("aria-label"))),
      )
      .toContain("Link from route to link (else, the following step)");
    await owner.getByTestId("unsaved").waitFor();

    // Keyboard only: focus the timeout edge, Enter selects it, Backspace removes `on_timeout`.
    const timeout = canvas.getByRole("group", { name: "Link from ask to close (timeout)" });
    await timeout.focus();
    await owner.keyboard.press("Enter");
    await expect.poll(() => timeout.getAttribute("class")).toContain("selected");
    await owner.keyboard.press("Backspace");
    await timeout.waitFor({ state: "detached" });

    // A branch's own edge leaves the branch without a target: the form asks for one.
    await canvas.getByRole("group", { name: "Link from route to link (branch 1)" }).click();
    await owner.keyboard.press("Delete");
    await owner.locator('[data-node="route"]').click();
    const form = owner.getByTestId("step-form");
    expect(await form.getByLabel(/^Go to/).inputValue()).toBe("");
    await form.getByTestId("choose-target").waitFor();
    await form.getByLabel(/^Go to/).selectOption("link");

    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();
    const steps = (await definition(id)).definition.steps;
    expect(steps[1]).not.toHaveProperty("on_timeout");
    expect(steps[2]).not.toHaveProperty("else");
    expect(steps[2].branches[0].next).toBe("link");
  });

  test("JSON that doesn't parse is an unsaved change that Save refuses, naming the field", async () => {
    const id = await openExample("Broken JSON");
    await owner.locator('[data-node="ask"]').click();
    const buttons = owner.getByTestId("step-form").getByLabel('Reply buttons ([{"id", "title"}])');
    await buttons.fill('[{"id": "yes", "title": "Yes"}');
    await owner.getByTestId("unsaved").waitFor();
    await owner.getByRole("button", { name: "Save" }).click();
    const banner = owner.getByTestId("save-errors");
    await banner.waitFor();
    expect(await banner.textContent()).toContain('"Reply buttons ([{"id", "title"}])" of step "ask"');
    expect(await owner.getByRole("status").filter({ hasText: "Saved as" }).count()).toBe(0);
    expect((await definition(id)).version).toBe(1);
    // The typed text survives selecting another node and coming back.
    await owner.locator('[data-node="open"]').click();
    await owner.locator('[data-node="ask"]').click();
    expect(await buttons.inputValue()).toBe('[{"id": "yes", "title": "Yes"}');

    await buttons.fill('[{"id": "yes", "title": "Yes"}]');
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();
    expect((await definition(id)).definition.steps[1].buttons).toEqual([{ id: "yes", title: "Yes" }]);
  });

  test("new jump and branch steps start valid; save errors stay on their step when it moves", async () => {
    const id = await openExample("New steps");
    // Added after "link", a jump goes to the step it lands before, never to itself.
    await owner.locator('[data-node="link"]').click();
    await owner.getByLabel("New step type").selectOption({ label: "Jump to" });
    await owner.getByRole("button", { name: "Add step" }).click();
    const form = owner.getByTestId("step-form");
    expect(await form.getByLabel("Jump to").inputValue()).toBe("close");
    await owner.locator('[data-node="open"]').click();
    await owner.getByLabel("New step type").selectOption({ label: "Branch" });
    await owner.getByRole("button", { name: "Add step" }).click();
    expect(await form.getByLabel(/^Go to/).inputValue()).toBe("ask");
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();
    expect((await definition(id)).definition.steps.map((s: { id: string }) => s.id)).toEqual([
      "open",
      "branch",
      "ask",
      "route",
      "link",
      "jump",
      "close",
    ]);

    // At the end there is no step to point at: the target is left for the user to choose.
    await owner.locator('[data-node="close"]').click();
    await owner.getByRole("button", { name: "Add step" }).click();
    expect(await form.getByLabel(/^Go to/).inputValue()).toBe("");
    await form.getByTestId("choose-target").waitFor();
    await owner.getByRole("button", { name: "Save" }).click();
    await owner.getByTestId("save-errors").waitFor();
    const bad = owner.locator('[data-node="branch_2"]');
    expect(await bad.getAttribute("data-invalid")).toBe("true");
    // The node keeps one line for its errors: it doesn't grow over the step above or below.
    const above = await owner.locator('[data-node="close"]').boundingBox();
    const box = await bad.boundingBox();
    if (!above || !box) throw new Error("no boxes");
    expect(box.y).toBeGreaterThanOrEqual(above.y + above.height);

    // Moved up, the step keeps its error; the step it swapped with gets none.
    await owner.getByRole("button", { name: "↑ Move up" }).click();
    await expect.poll(() => owner.locator('[data-invalid="true"]').count()).toBe(1);
    expect(await bad.getAttribute("data-invalid")).toBe("true");
    expect(await owner.getByTestId("step-form").getByRole("alert").textContent()).toContain("branches");
    await owner.getByRole("button", { name: "Delete step" }).click();
    await owner.getByRole("button", { name: "Save" }).click();
    // Back to what the server has (which keeps its version for an unchanged definition).
    await owner.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();
    expect(await owner.getByTestId("save-errors").count()).toBe(0);
  });

  test("leaving the editor with unsaved changes asks first", async () => {
    const id = await openExample("Leave me");
    await owner.getByLabel("Workflow name").fill("Renamed");
    // In-app: staying keeps the change.
    let asked = "";
    owner.once("dialog", (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await owner.getByRole("link", { name: "← Workflows" }).click();
    await expect.poll(() => asked).toContain("unsaved changes");
    expect(new URL(owner.url()).pathname).toBe(`/workflows/${id}`);
    expect(await owner.getByLabel("Workflow name").inputValue()).toBe("Renamed");
    // Reloading asks the browser's question.
    let kind = "";
    owner.once("dialog", (d) => {
      kind = d.type();
      void d.dismiss();
    });
    await owner.evaluate("window.location.reload()");
    await expect.poll(() => kind).toBe("beforeunload");
    expect(await owner.getByLabel("Workflow name").inputValue()).toBe("Renamed");
    // Leaving on purpose: the list, and the server still has the old name.
    owner.once("dialog", (d) => void d.accept());
    await owner.getByRole("link", { name: "← Workflows" }).click();
    await owner.getByRole("button", { name: "New workflow" }).waitFor();
    expect((await definition(id)).name).toBe("Leave me");
  });

  test("the webhook trigger: the hook URL wraps inside the panel, the secret is masked", async () => {
    await openExample("Hook");
    await owner.locator('[data-node="trigger"]').click();
    const form = owner.getByTestId("trigger-form");
    expect(await form.getByLabel("HMAC secret (16+ characters)").getAttribute("type")).toBe("password");
    const url = form.getByTestId("hook-url");
    // A token without a hyphen has no natural break: it must still wrap.
    await url.evaluate((el) => {
      el.textContent = `http://localhost/hooks/${"x".repeat(120)}`;
    });
    const side = owner.locator(".wf-side");
    const [scroll, client] = await side.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client ?? 0);
  });
});
