import { createHash } from "node:crypto";

const TIMESTAMP = /"timestamp"\s*:\s*"?(\d{1,12})/;

/**
 * The key identical webhook deliveries share (`webhook_deliveries.body_hash`, unique): the SHA-256 of the body,
 * after the first timestamp in it (Meta's message and status times, in seconds; "0" when there is none). The
 * prefix keeps the unique index growing at its end, as deliveries arrive roughly in time order: a bare hash put
 * every delivery on a random index page, and every commit wrote all those pages out again.
 */
export function deliveryKey(body: string): string {
  const ts = TIMESTAMP.exec(body)?.[1] ?? "0";
  return `${ts.padStart(12, "0")}:${createHash("sha256").update(body).digest("hex")}`;
}
