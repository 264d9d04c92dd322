import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";

/**
 * The key that seals channel secrets: PARLEY_SECRET_KEY, else `secret.key` in the data folder, generated on
 * first start. Losing that file makes stored channel tokens unreadable, hence the loud log line.
 */
export function resolveSecretKey(configured: string | undefined, dataDir: string, log: Logger): string {
  if (configured) return configured;
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  log.warn(
    { file },
    "PARLEY_SECRET_KEY is not set: generated a new key into the data folder; back it up or set PARLEY_SECRET_KEY",
  );
  return key;
}
