import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { ensureWebBuild, hasChromium, launchChromium, shot } from "./browserSupport.ts";

const OWNER = { name: "Olive Owner", email: "olive@acme.test", password: "owner password 1" };
const AGENT = { name: "Ada Agent", email: "ada@acme.test", password: "agent password 1" };
const CUSTOMER = { name: "Sam Customer", phone: "+15550100200" };

/**
 * The whole product in a real browser against a real server: setup, sign-in, the live inbox, replies and
 * templates reaching the simulated phone, Close seen by a second agent, history, reports, and roles.
 * Steps share one server and build on each other, like a day in the inbox.
 */
describe.skipIf(!hasChromium)("the web app in Chromium", () => {
  let t: TestApp;
  let browser: Browser;
  let ownerCtx: BrowserContext;
  let agentCtx: BrowserContext;
  let owner: Page;
  let agent: Page;
  let phone: Page;

  beforeAll(async () => {
    ensureWebBuild();
    t = await startTestApp("sqlite", { live: true, webApp: true });
    browser = await launchChromium();
    const viewport = { width: 1360, height: 820 };
    ownerCtx = await browser.newContext({ viewport, baseURL: t.url() });
    agentCtx = await browser.newContext({ viewport, baseURL: t.url() });
    // Shorter than the test timeout, so a failure names the locator it waited for.
    ownerCtx.setDefaultTimeout(10_000);
    agentCtx.setDefaultTimeout(10_000);
    owner = await ownerCtx.newPage();
    agent = await agentCtx.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test("first visit: setup creates the owner and brands the app", async () => {
    await owner.goto("/");
    await owner.getByLabel("Your name").fill(OWNER.name);
    await owner.getByLabel("Email").fill(OWNER.email);
    await owner.getByLabel("Password (10+ characters)").fill(OWNER.password);
    await owner.getByLabel("Brand name shown to your team").fill("Acme Care");
    await shot(owner, "setup");
    await owner.getByRole("button", { name: "Create owner account" }).click();
    await expect.poll(() => owner.getByTestId("brand").textContent()).toBe("Acme Care");
    await expect.poll(() => owner.title()).toBe("Acme Care");
  });

  test("the owner adds an agent, who signs in under the brand", async () => {
    await owner.getByRole("link", { name: "Settings" }).click();
    await owner.getByLabel("Agent name").fill(AGENT.name);
    await owner.getByLabel("Agent email").fill(AGENT.email);
    await owner.getByLabel("Initial password").fill(AGENT.password);
    await owner.getByRole("button", { name: "Invite", exact: true }).click();
    await owner.getByTestId("users").getByText(AGENT.email).waitFor();
    // settings.png and reports.png are written by settingsAndReports.test.ts.

    await agent.goto("/");
    await agent.getByRole("heading", { name: "Acme Care" }).waitFor();
    expect(await agent.title()).toBe("Acme Care");
    await agent.getByLabel("Email").fill(AGENT.email);
    await agent.getByLabel("Password").fill(AGENT.password);
    await shot(agent, "sign-in");
    await agent.getByRole("button", { name: "Sign in" }).click();
    await agent.getByTestId("tab-open").waitFor();
  });

  test("an agent is refused the settings", async () => {
    expect(await agent.getByRole("link", { name: "Settings" }).count()).toBe(0);
    await agent.goto("/settings");
    const refused = agent.getByTestId("forbidden");
    await refused.waitFor();
    expect(await refused.textContent()).toContain("admin");
    await agent.goto("/inbox");
    await agent.getByText("No conversations here").waitFor();
  });

  test("a simulated customer's message appears live in Active", async () => {
    phone = await ownerCtx.newPage();
    await phone.goto("/simulate");
    await phone.getByLabel("Customer name").fill(CUSTOMER.name);
    await phone.getByLabel("Customer phone").fill(CUSTOMER.phone);
    await phone.getByLabel("Customer message").fill("Hi, where is my order?");
    await phone.getByRole("button", { name: "Send" }).click();
    // The agent's open inbox updates from the event stream: no reload.
    await agent
      .getByTestId("conversation-row")
      .filter({ hasText: CUSTOMER.name })
      .waitFor({ timeout: 15_000 });
    expect(await agent.getByTestId("tab-open").textContent()).toContain("1");
    await agent.getByTestId("conversation-row").first().click();
    await agent.getByText("Hi, where is my order?").waitFor();
    await shot(agent, "inbox");
  });

  test("the owner replies inside the window; the phone shows it with ticks", async () => {
    await owner.goto("/inbox");
    await owner.getByTestId("conversation-row").filter({ hasText: CUSTOMER.name }).click();
    expect(await owner.getByTestId("window").textContent()).toMatch(/window closes in 2[34]h/);
    await owner.getByLabel("Reply").fill("Hi Sam, it ships today.");
    await owner.getByRole("button", { name: "Send", exact: true }).click();
    await owner
      .getByTestId("message")
      .filter({ hasText: "it ships today" })
      .and(owner.locator('[data-status="read"]'))
      .waitFor({ timeout: 15_000 });
    const onPhone = phone.getByTestId("phone-message").filter({ hasText: "Hi Sam, it ships today." });
    await onPhone.waitFor({ timeout: 15_000 });
    // The simulator page carries the inbox beside the phone: both sides of the chat at once.
    await phone.getByTestId("conversation-row").filter({ hasText: CUSTOMER.name }).click();
    await phone.getByTestId("message").filter({ hasText: "it ships today" }).waitFor();
    await shot(phone, "simulator");
  });

  test("an internal note reaches the team live, never the phone", async () => {
    await owner.getByRole("tab", { name: "Internal note" }).click();
    await owner.getByLabel("Internal note").fill("VIP customer: offer free shipping next time.");
    await owner.getByRole("button", { name: "Add note" }).click();
    await owner.getByTestId("note").filter({ hasText: "VIP customer" }).waitFor();
    // The agent still has this conversation open from before: the note appears there without a reload.
    await agent.getByTestId("note").filter({ hasText: "VIP customer" }).waitFor();
    await shot(agent, "internal-note");
    await phone.waitForTimeout(500);
    expect(await phone.getByTestId("phone-chat").textContent()).not.toContain("VIP customer");
    await owner.getByRole("tab", { name: "Reply" }).click();
  });

  test("outside the window the composer is a template picker; the template reaches the phone", async () => {
    const channels = await t.api("GET", "/api/v1/channels");
    const sandbox = channels.body.data.find((c: { kind: string }) => c.kind === "sandbox");
    // A contact who never wrote has no window: only a template may reach them.
    const opened = await t.api("POST", "/api/v1/conversations/open", {
      phone: "+14155550300",
      channel_id: sandbox.id,
    });
    expect(opened.status).toBe(201);
    await owner.goto(`/inbox/${opened.body.conversation.id}`);
    const picker = owner.getByTestId("template-picker");
    await picker.waitFor();
    await picker.getByLabel("Template").selectOption({ label: "order_ready (en, utility)" });
    await picker.getByLabel("Parameter {{1}}").fill("Rita");
    await picker.getByLabel("Parameter {{2}}").fill("A-1001");
    await picker.getByRole("button", { name: "Send template" }).click();
    await owner.getByTestId("message").filter({ hasText: "order_ready" }).waitFor();
    await shot(owner, "template-picker");
    await waitFor("the template on the phone", async () => {
      const res = await t.api("GET", "/sandbox/phones/14155550300/messages");
      return res.body.data.some((m: { text: string }) => m.text.includes("A-1001"));
    });
  });

  test("a send Meta refuses shows as failed with Meta's error", async () => {
    const sandbox = (await t.api("GET", "/api/v1/channels")).body.data.find(
      (c: { kind: string }) => c.kind === "sandbox",
    );
    t.parley.sandbox?.simulator.upsertPhone({ phone: "+14155550400", onWhatsApp: false });
    const opened = await t.api("POST", "/api/v1/conversations/open", {
      phone: "+14155550400",
      channel_id: sandbox.id,
    });
    await owner.goto(`/inbox/${opened.body.conversation.id}`);
    const picker = owner.getByTestId("template-picker");
    await picker.getByLabel("Template").selectOption({ label: "we_miss_you (en, marketing)" });
    await picker.getByLabel("Parameter {{1}}").fill("Rita");
    await picker.getByRole("button", { name: "Send template" }).click();
    const failed = owner.locator('[data-testid="message"][data-status="failed"]');
    await failed.waitFor({ timeout: 15_000 });
    expect(await failed.getByTestId("ticks").textContent()).toContain("⚠");
    expect(await failed.locator(".error").textContent()).toContain("131026");
    await shot(owner, "failed-message");
  });

  test("Close with category and summary leaves Active for the other agent, and shows in Closed and history", async () => {
    await owner.goto("/inbox");
    // The workspace requires a summary: the dialog says so and refuses to close without one.
    await t.api("PATCH", "/api/v1/workspace", { closing_notes: { summary: "required" } });
    await owner.getByTestId("conversation-row").filter({ hasText: CUSTOMER.name }).click();
    await owner.getByRole("button", { name: "Close", exact: true }).click();
    const dialog = owner.getByTestId("close-dialog");
    await dialog.getByLabel("Category").selectOption({ label: "Support" });
    await dialog.getByText("Summary (required)").waitFor();
    await dialog.getByRole("button", { name: "Close conversation" }).click();
    await dialog.getByRole("alert").filter({ hasText: "requires" }).waitFor();
    await dialog.getByLabel("Summary").fill("Order status explained; ships today.");
    await shot(owner, "close-dialog");
    await dialog.getByRole("button", { name: "Close conversation" }).click();
    await owner.getByTestId("marker-closed").waitFor();

    // The agent never reloaded: the row leaves their Active list by itself.
    await agent
      .getByTestId("conversation-row")
      .filter({ hasText: CUSTOMER.name })
      .waitFor({ state: "detached" });
    await agent.getByTestId("tab-closed").click();
    await agent.getByTestId("conversation-row").filter({ hasText: CUSTOMER.name }).click();
    const history = agent.getByTestId("contact-history");
    await history.getByText("Support").waitFor();
    await history.getByText("Order status explained; ships today.").waitFor();
    expect(await agent.getByTestId("marker-category").last().textContent()).toBe("Support");
    await shot(agent, "closed-history");
  });

  test("the agent reopens it, assigns it to themself, and finds it under Assigned to me", async () => {
    await agent.getByRole("button", { name: "Reopen" }).click();
    await expect.poll(() => agent.getByTestId("conversation-status").textContent()).toBe("open");
    await agent.getByTestId("marker").filter({ hasText: "Reopened by Ada Agent" }).waitFor();
    await agent
      .getByLabel("Assignee")
      .last()
      .selectOption({ label: `Me (${AGENT.name})` });
    await agent.getByTestId("marker").filter({ hasText: "Assigned by Ada Agent" }).waitFor();
    await agent.getByTestId("tab-open").click();
    await agent.getByLabel("Assignee").first().selectOption({ label: "Assigned to me" });
    await agent.getByTestId("conversation-row").filter({ hasText: CUSTOMER.name }).waitFor();
    expect(await agent.getByTestId("conversation-row").count()).toBe(1);
    await agent.getByLabel("Assignee").first().selectOption({ label: "Unassigned" });
    await agent.getByTestId("conversation-row").filter({ hasText: "+14155550300" }).waitFor();
    // The two API-opened conversations (template, refused send) are nobody's.
    await expect.poll(() => agent.getByTestId("conversation-row").count()).toBe(2);
  });

  test("people see and end their own sessions", async () => {
    const other = await browser.newContext({ baseURL: t.url() });
    const page = await other.newPage();
    await page.goto("/");
    await page.getByLabel("Email").fill(AGENT.email);
    await page.getByLabel("Password").fill(AGENT.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("tab-open").waitFor();

    await agent.getByRole("link", { name: /Ada Agent/ }).click();
    const rows = agent.getByTestId("sessions").getByRole("row");
    await expect.poll(() => rows.count()).toBe(2);
    await agent.getByTestId("sessions").getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => rows.count()).toBe(1);
    // The other browser is signed out on its next request.
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await other.close();
  });

  test("the reports count the close under its category", async () => {
    await owner.goto("/reports");
    const table = owner.getByTestId("closes-by-category");
    await table.getByRole("row", { name: /Support\s+1/ }).waitFor();
    await owner.locator(".chart canvas").first().waitFor();
    await owner
      .getByTestId("times-by-agent")
      .getByRole("row", { name: /Olive Owner\s+1/ })
      .waitFor();
  });
});
