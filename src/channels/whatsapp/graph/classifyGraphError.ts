import type { GraphError } from "./graphClient.ts";

/** Codes worth retrying: rate limits, throughput upgrades, Meta-side outages. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  1, // unknown error
  2, // service temporarily down
  4, // app-level call limit
  80007, // WABA rate limit
  130429, // throughput limit of the number
  131000, // something went wrong
  131016, // service unavailable
  131056, // pair rate limit: same recipient too often
  131057, // maintenance / throughput upgrade in progress
  133004, // server temporarily unavailable (Meta's docs say retry)
]);

/** Codes a retry cannot fix; listed for the record, since any unknown 4xx is permanent too. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([
  0, 10, 100, 190, 368, 130497, 131008, 131009, 131021, 131026, 131031, 131047, 131049, 131050, 131051,
  132000, 132001, 132012, 132015, 132016,
]);

/** The token is bad (expired, revoked): every send on the channel would fail the same way. */
const UNHEALTHY_CODES: ReadonlySet<number> = new Set([0, 190]);
const WINDOW_CLOSED = 131047;
const PAIR_RATE = "131056";

export interface Classified {
  retry: boolean;
  retryAfterMs?: number;
  /** Meta's code as a string, or `network`, `timeout`, `http_<status>` when there is none. */
  code: string;
  detail: string;
  /** Stop sending on the channel until its token is updated. */
  channelUnhealthy: boolean;
  /** Meta says the customer service window is closed: only a template can reach this person now. */
  windowClosed: boolean;
}

/** The one place that decides transient (retry with backoff) versus permanent (fail the message). */
export function classifyGraphError(e: GraphError): Classified {
  const plain = { channelUnhealthy: false, windowClosed: false };
  if (e.kind === "timeout" || e.kind === "network") {
    return { retry: true, code: e.kind, detail: e.message ?? e.kind, ...plain };
  }
  const status = e.httpStatus ?? 0;
  const detail = [e.message, e.details].filter(Boolean).join(": ") || `HTTP ${status}`;
  const serverSide = status >= 500 || status === 429;
  if (e.code === undefined) {
    // No envelope: only the status speaks. A 2xx we could not read may well have been sent, so no retry.
    return { retry: serverSide, retryAfterMs: e.retryAfterMs, code: `http_${status}`, detail, ...plain };
  }
  // Meta asks callers to key on the code, not the HTTP status; the status decides only for unknown codes.
  const retry = TRANSIENT_CODES.has(e.code) || (!PERMANENT_CODES.has(e.code) && serverSide);
  return {
    retry,
    retryAfterMs: e.retryAfterMs,
    code: String(e.code),
    detail,
    channelUnhealthy: UNHEALTHY_CODES.has(e.code),
    windowClosed: e.code === WINDOW_CLOSED,
  };
}

const BASE_MS = 1000;
const CAP_MS = 5 * 60_000;

/**
 * How long to wait before try number `attempt + 1`, `attempt` being the tries made so far (1 after the first).
 * Exponential backoff with full jitter (base 1 s, cap 5 min) so that a burst of failures does not retry in step;
 * a `Retry-After` from Meta is a lower bound. The pair-rate error (131056) asks for 4^X seconds, X = 0, 1, 2 …,
 * before the next message to the same person, so that wait is not jittered below.
 */
export function backoffDelayMs(
  attempt: number,
  retryAfterMs?: number,
  code?: string,
  random: () => number = Math.random,
): number {
  const n = Math.max(0, attempt - 1);
  const floor = retryAfterMs ?? 0;
  if (code === PAIR_RATE) return Math.max(Math.min(CAP_MS, BASE_MS * 4 ** n), floor);
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** n);
  return Math.max(Math.round(random() * ceiling), floor);
}
