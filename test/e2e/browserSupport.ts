import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { expect } from "vitest";
import { startTestApp, type TestApp } from "../support/testApp.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

/** Builds web/dist when missing or stale (the same check `npm start` runs). */
export function ensureWebBuild(): void {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../../scripts/ensureWebBuild.mjs", import.meta.url))],
    {
      stdio: "ignore",
    },
  );
}

/** Debian's Chromium, headless; never a downloaded browser build. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Containers and CI run as root, where Chromium refuses its sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

export const hasChromium = existsSync(CHROMIUM);

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

/** The workspace owner the browser tests set up and sign in as. */
export const OWNER = { name: "Olive Owner", email: "olive@acme.test", password: "owner password 1" };

/** Signs in through the app's own form and waits for the signed-in shell. */
export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("brand").waitFor();
}

/** A live app serving the web app, with Chromium and a browser context in which the owner is signed in. */
export interface OwnerSession {
  t: TestApp;
  browser: Browser;
  ctx: BrowserContext;
  owner: Page;
}

/**
 * Starts a live app with the web app, sets up the workspace (owner OWNER, brand `brand`), launches Chromium and
 * signs the owner in on a 1360×820 page (`context` adds to the context's options). What it started is closed
 * again if a step fails, since the caller's afterAll never sees it.
 */
export async function startSignedIn(
  opts: { brand?: string; context?: BrowserContextOptions } = {},
): Promise<OwnerSession> {
  ensureWebBuild();
  const t = await startTestApp("sqlite", { live: true, webApp: true });
  let browser: Browser | undefined;
  try {
    const setup = await t.api(
      "POST",
      "/api/v1/auth/setup",
      { ...OWNER, brand_name: opts.brand ?? "Acme Care" },
      { key: null },
    );
    expect(setup.status).toBe(201);
    browser = await launchChromium();
    const ctx = await browser.newContext({
      viewport: { width: 1360, height: 820 },
      baseURL: t.url(),
      ...opts.context,
    });
    ctx.setDefaultTimeout(10_000);
    const owner = await ctx.newPage();
    await signIn(owner, OWNER);
    return { t, browser, ctx, owner };
  } catch (err) {
    await browser?.close();
    await t.close();
    throw err;
  }
}
