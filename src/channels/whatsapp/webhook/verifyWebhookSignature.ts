import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Checks Meta's `X-Hub-Signature-256: sha256=<hex>` header: HMAC-SHA256 of the raw body bytes with the app secret,
 * compared in constant time. Re-serialized JSON would not match, so callers must pass the bytes as received.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const given = header.slice(7);
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

/** The header value Meta would send for this body (used by the built-in simulator and the benchmarks). */
export function signWebhookBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}
