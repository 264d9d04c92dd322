import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

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
