import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { ensureWebBuild, hasChromium, launchChromium, shot } from "./browserSupport.ts";

const OWNER = { name: "Olive Owner", email: "olive@acme.test", password: "owner password 1" };
const AGENT = { name: "Ada Agent", email: "ada@acme.test", password: "agent password 1" };
const DAY = 86_400_000;
const MIN = 60_000;
/**
 * The server's clock is `skew` off the real one and moves ahead with it, so replies and closes can happen minutes
 * after the open. It starts 4 hours behind, so however far the test moves it, the server's "now" never passes
 * the browser's (whose "last 7 days" ends with its today).
 */
let skew = -4 * 3_600_000;
const serverNow = () => Date.now() + skew;
const day = (offset: number) =>
  new Date(Math.floor(serverNow() / DAY) * DAY + offset * DAY).toISOString().slice(0, 10);

/** Calls the API as the page's signed-in person: their cookie, and the CSRF token from /me. */
async function apiAs(page: Page, method: string, url: string, body?: unknown) {
  const me = await page.request.get("/api/v1/me");
  const csrf = (await me.json()).csrf_token as string;
  const res = await page.request.fetch(url, {
    method,
    headers: { "x-csrf-token": csrf, ...(body ? { "content-type": "application/json" } : {}) },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status(),
    type: res.headers()["content-type"] ?? "",
    body: text ? JSON.parse(text) : null,
  };
}

/**
 * Settings (guardrails, auto-close, people), the inbox tab counts under filters, and the reports with a date
 * range and the CSV download, in Chromium against a real server. Writes docs/screenshots/settings.png and
 * reports.png.
 */
describe.skipIf(!hasChromium)("settings, tab counts and reports in Chromium", () => {
  let t: TestApp;
  let browser: Browser;
  let ownerCtx: BrowserContext;
  let agentCtx: BrowserContext;
  let owner: Page;
  let agent: Page;
  let closedId: string;
  let sandboxId: string;

  async function openFor(phone: string, name: string) {
    const contact = await t.api("POST", "/api/v1/contacts", { phone, name });
    if (!contact.body?.id) throw new Error(`contact: ${contact.status} ${contact.text}`);
    const res = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contact.body.id,
      channel_id: sandboxId,
    });
    if (!res.body?.conversation) throw new Error(`open: ${res.status} ${res.text}`);
    return res.body.conversation.id as string;
  }

  /**
   * The customer writes in (through the sandbox phone, which opens the conversation), `by` replies `replyMin`
   * minutes later and closes it at `closeMin` under `category`.
   */
  async function cycle(
    by: Page,
    o: { phone: string; name: string; replyMin: number; closeMin: number; category: string },
  ) {
    const digits = o.phone.replace(/\D/g, "");
    const said = await t.api("POST", `/sandbox/phones/${digits}/messages`, { text: "Hello?", name: o.name });
    expect(said.status, said.text).toBe(202);
    const id = await waitFor("the customer's conversation", async () => {
      const res = await t.api("GET", `/api/v1/conversations?status=open&q=${digits}`);
      return res.body.data[0]?.id as string | undefined;
    });
    skew += o.replyMin * MIN;
    const sent = await apiAs(by, "POST", `/api/v1/conversations/${id}/messages`, {
      text: `Hi ${o.name}, on it`,
    });
    expect(sent.status).toBe(201);
    await waitFor("the reply on the phone", async () => {
      const res = await t.api("GET", `/sandbox/phones/${digits}/messages`);
      return res.body.data.some((m: { text: string }) => m.text.includes("on it"));
    });
    skew += (o.closeMin - o.replyMin) * MIN;
    const closed = await apiAs(by, "POST", `/api/v1/conversations/${id}/close`, {
      category: o.category,
      summary: "Sorted",
    });
    expect(closed.status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    ensureWebBuild();
    t = await startTestApp("sqlite", { live: true, webApp: true, now: serverNow });
    browser = await launchChromium();
    const viewport = { width: 1360, height: 900 };
    ownerCtx = await browser.newContext({ viewport, baseURL: t.url(), acceptDownloads: true });
    agentCtx = await browser.newContext({ viewport, baseURL: t.url() });
    ownerCtx.setDefaultTimeout(10_000);
    agentCtx.setDefaultTimeout(10_000);
    owner = await ownerCtx.newPage();
    agent = await agentCtx.newPage();
    await owner.goto("/");
    await owner.getByLabel("Your name").fill(OWNER.name);
    await owner.getByLabel("Email").fill(OWNER.email);
    await owner.getByLabel("Password (10+ characters)").fill(OWNER.password);
    await owner.getByLabel("Brand name shown to your team").fill("Acme Care");
    await owner.getByRole("button", { name: "Create owner account" }).click();
    await owner.getByTestId("tab-open").waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test("guardrail and auto-close settings are saved and come back after a reload", async () => {
    await owner.getByRole("link", { name: "Settings" }).click();
    const guard = owner.getByTestId("guardrails");
    await guard.getByLabel("Frequency cap (opens per contact per 24 h)").fill("5");
    await guard.getByLabel("Quiet hours").check();
    await guard.getByLabel("From").fill("22:00");
    await guard.getByLabel("Until").fill("07:30");
    await guard.getByLabel("Time zone (when the contact has none)").fill("Europe/Berlin");
    await guard.getByLabel("Messaging limit (Meta tier)").selectOption("2000");
    await guard.getByRole("button", { name: "Save guardrails" }).click();
    await owner.getByTestId("guardrails-saved").waitFor();

    const auto = owner.getByTestId("auto-close");
    await auto.getByLabel("Close idle conversations").check();
    await auto.getByLabel("After (hours without a message)").fill("12");
    await auto.getByLabel("With category").selectOption("support");
    await auto.getByLabel("Summary").fill("No reply for half a day");
    await auto.getByRole("button", { name: "Save auto-close" }).click();
    await owner.getByTestId("auto-close-saved").waitFor();

    await owner.reload();
    await guard.waitFor();
    expect(await guard.getByLabel("Frequency cap (opens per contact per 24 h)").inputValue()).toBe("5");
    expect(await guard.getByLabel("Quiet hours").isChecked()).toBe(true);
    expect(await guard.getByLabel("From").inputValue()).toBe("22:00");
    expect(await guard.getByLabel("Until").inputValue()).toBe("07:30");
    expect(await guard.getByLabel("Time zone (when the contact has none)").inputValue()).toBe(
      "Europe/Berlin",
    );
    expect(await guard.getByLabel("Messaging limit (Meta tier)").inputValue()).toBe("2000");
    expect(await auto.getByLabel("Close idle conversations").isChecked()).toBe(true);
    expect(await auto.getByLabel("After (hours without a message)").inputValue()).toBe("12");
    expect(await auto.getByLabel("With category").inputValue()).toBe("support");
    expect(await auto.getByLabel("Summary").inputValue()).toBe("No reply for half a day");
    // The server has them too, and the brand (saved by another form) was left alone.
    const ws = (await t.api("GET", "/api/v1/workspace")).body;
    expect(ws.brand_name).toBe("Acme Care");
    expect(ws.settings).toMatchObject({
      frequency_cap: 5,
      quiet_hours: { start: "22:00", end: "07:30" },
      timezone: "Europe/Berlin",
      messaging_limit: 2000,
      auto_close: { after_hours: 12, category: "support", summary: "No reply for half a day" },
    });

    // Turning quiet hours off saves null; an invalid time zone is the server's 422, shown in the form.
    await guard.getByLabel("Quiet hours").uncheck();
    await guard.getByLabel("Time zone (when the contact has none)").fill("Mars/Olympus");
    await guard.getByRole("button", { name: "Save guardrails" }).click();
    expect(await owner.getByTestId("guardrails-error").textContent()).toContain("time zone");
    await guard.getByLabel("Time zone (when the contact has none)").fill("Europe/Berlin");
    await guard.getByRole("button", { name: "Save guardrails" }).click();
    await owner.getByTestId("guardrails-saved").waitFor();
    expect((await t.api("GET", "/api/v1/workspace")).body.settings.quiet_hours).toBeNull();
    await guard.getByLabel("Quiet hours").check();
    await guard.getByRole("button", { name: "Save guardrails" }).click();
    await expect
      .poll(async () => (await t.api("GET", "/api/v1/workspace")).body.settings.quiet_hours)
      .toEqual({ start: "22:00", end: "07:30" });

    // Each number can carry its own Meta tier over the workspace default.
    const channel = (await t.api("GET", "/api/v1/channels")).body.data[0];
    await owner.getByLabel(`Daily limit of ${channel.name}`).selectOption("10000");
    await expect
      .poll(async () => (await t.api("GET", `/api/v1/channels/${channel.id}`)).body.messaging_limit)
      .toBe(10000);
    await owner.getByLabel(`Daily limit of ${channel.name}`).selectOption("unlimited");
    await expect
      .poll(async () => (await t.api("GET", `/api/v1/channels/${channel.id}`)).body.messaging_limit)
      .toBe("unlimited");
  });

  test("an agent invited by the owner signs in, is refused settings, and changes their password", async () => {
    await owner.getByLabel("Agent name").fill(AGENT.name);
    await owner.getByLabel("Agent email").fill(AGENT.email);
    await owner.getByLabel("Initial password").fill(AGENT.password);
    await owner.getByLabel("Role", { exact: true }).selectOption("agent");
    await owner.getByRole("button", { name: "Invite", exact: true }).click();
    await owner.getByTestId("users").getByText(AGENT.email).waitFor();
    await owner.getByTestId("add-sandbox").click();
    await expect.poll(() => owner.getByRole("row", { name: /sandbox \(simulator\)/ }).count()).toBe(2);
    await owner.getByRole("heading", { name: "Guardrails" }).scrollIntoViewIfNeeded();
    await shot(owner, "settings");

    await agent.goto("/");
    await agent.getByRole("heading", { name: "Acme Care" }).waitFor();
    await agent.getByLabel("Email").fill(AGENT.email);
    await agent.getByLabel("Password").fill(AGENT.password);
    await agent.getByRole("button", { name: "Sign in" }).click();
    await agent.getByTestId("tab-open").waitFor();
    expect(await agent.getByTestId("brand").textContent()).toBe("Acme Care");
    expect(await agent.getByRole("link", { name: "Settings" }).count()).toBe(0);
    await agent.goto("/settings");
    await agent.getByTestId("forbidden").waitFor();
    expect(await agent.getByText("Save guardrails").count()).toBe(0);

    // The server refuses too, as a problem document.
    for (const [method, url, body] of [
      ["PATCH", "/api/v1/workspace", { settings: { frequency_cap: null } }],
      ["POST", "/api/v1/users", { email: "x@acme.test", name: "X", role: "admin", password: "0123456789" }],
      ["GET", "/api/v1/api-keys", undefined],
    ] as const) {
      const res = await apiAs(agent, method, url, body);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.type).toContain("application/problem+json");
      expect(res.body.code).toBe("forbidden");
    }

    await agent.goto("/account");
    const form = agent.getByTestId("change-password");
    await form.getByLabel("Current password").fill(AGENT.password);
    await form.getByLabel("New password (10+ characters)").fill("agent password 2");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Changed").waitFor();
    expect((await apiAs(agent, "GET", "/api/v1/me")).status).toBe(200);
  });

  test("the tab counts follow the filters", async () => {
    sandboxId = (await t.api("GET", "/api/v1/channels")).body.data.find(
      (c: { kind: string }) => c.kind === "sandbox",
    ).id;
    await openFor("+14155550301", "Sam Customer");
    const assigned = await openFor("+14155550302", "Rita Buyer");
    const ownerId = (await apiAs(owner, "GET", "/api/v1/me")).body.user.id;
    expect(
      (
        await apiAs(owner, "POST", `/api/v1/conversations/${assigned}/assign`, {
          type: "agent",
          agent_id: ownerId,
        })
      ).status,
    ).toBe(200);
    // The owner answers Carl 7 minutes after the open and closes it as Support 52 minutes in.
    closedId = await cycle(owner, {
      phone: "+14155550303",
      name: "Carl Closed",
      replyMin: 7,
      closeMin: 52,
      category: "support",
    });

    await owner.goto("/inbox");
    const count = (tab: string) => owner.getByTestId(`tab-${tab}`).locator(".count").textContent();
    await expect.poll(() => count("open")).toBe("2");
    expect(await count("closed")).toBe("1");
    expect(await count("all")).toBe("3");

    await owner.getByLabel("Assignee").selectOption("me");
    await expect.poll(() => count("open")).toBe("1");
    expect(await count("closed")).toBe("0");
    expect(await count("all")).toBe("1");

    await owner.getByLabel("Assignee").selectOption("");
    await owner.getByLabel("Search").fill("carl");
    await expect.poll(() => count("open")).toBe("0");
    expect(await count("closed")).toBe("1");
    await owner.getByTestId("tab-closed").click();
    await owner.getByTestId("conversation-row").first().waitFor();
    expect(await owner.getByTestId("conversation-row").count()).toBe(1);
    await owner.getByLabel("Search").fill("");
    await owner.getByLabel("Category").selectOption("sales");
    await expect.poll(() => count("closed")).toBe("0");
    await owner.getByLabel("Category").selectOption("support");
    await expect.poll(() => count("closed")).toBe("1");
    expect(await count("all")).toBe("1");
  });

  test("reports: a date range filter, response-time charts, and a CSV with the close's category", async () => {
    await cycle(owner, { phone: "+14155550304", name: "Dana", replyMin: 3, closeMin: 20, category: "sales" });
    await cycle(agent, {
      phone: "+14155550305",
      name: "Eve",
      replyMin: 12,
      closeMin: 95,
      category: "support",
    });
    await cycle(agent, {
      phone: "+14155550306",
      name: "Finn",
      replyMin: 5,
      closeMin: 30,
      category: "general-inquiry",
    });
    await owner.goto("/reports");
    await owner.getByLabel("From").fill(day(-2));
    await owner.getByLabel("To").fill(day(0));
    const table = owner.getByTestId("closes-by-category");
    await table.getByRole("row", { name: /Support\s+2/ }).waitFor();
    // Support: first responses 7 and 12 minutes (median 9.5), resolutions 52 and 95 (median 73.5).
    await owner
      .getByTestId("times-by-category")
      .getByRole("row", { name: /Support\s+2\s+10m\s+1h 14m/ })
      .waitFor();
    await owner
      .getByTestId("times-by-agent")
      .getByRole("row", { name: /Olive Owner\s+2\s+36m\s+2\s+5m/ })
      .waitFor();
    await owner
      .getByTestId("times-by-agent")
      .getByRole("row", { name: /Ada Agent\s+2/ })
      .waitFor();
    expect(await owner.locator(".chart canvas").count()).toBeGreaterThanOrEqual(4);

    // A range that ends before today has none of it.
    await owner.getByLabel("From").fill(day(-10));
    await owner.getByLabel("To").fill(day(-5));
    await owner.getByTestId("times-by-category").locator("tbody").waitFor({ state: "attached" });
    await expect.poll(() => owner.getByTestId("closes-by-category").getByRole("row").count()).toBe(1);
    await expect.poll(() => owner.getByTestId("times-by-category").getByRole("row").count()).toBe(1);

    await owner.getByLabel("Date range").selectOption("7");
    await table.getByRole("row", { name: /Support\s+2/ }).waitFor();
    const [download] = await Promise.all([
      owner.waitForEvent("download"),
      owner.getByTestId("closings-csv").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^closings-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync(await download.path(), "utf8")
      .trim()
      .split("\r\n");
    expect(csv[0]).toContain("category");
    expect(csv).toHaveLength(5);
    const carl = csv.find((line) => line.includes(closedId));
    expect(carl).toContain(",support,Support,Sorted,agent,Olive Owner,52.0,7.0,Olive Owner");
    // Tall enough for every chart on the page.
    await owner.setViewportSize({ width: 1360, height: 2000 });
    await owner.getByRole("heading", { name: "Response times by agent" }).waitFor();
    await shot(owner, "reports");
    await owner.setViewportSize({ width: 1360, height: 900 });
  });
});
