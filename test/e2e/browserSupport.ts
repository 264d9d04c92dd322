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
