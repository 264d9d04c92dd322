import type { GraphError } from "./graphClient.ts";

const TRANSIENT = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004]);
const UNHEALTHY = new Set([0, 190]);
const WINDOW_CLOSED = 131047;

export interface Classified {
  retry: boolean;
  retryAfterMs?: number;
  code: string;
  detail: string;
  /** The token is bad: stop sending on the channel until it is updated. */
  channelUnhealthy: boolean;
  /** Meta says the customer service window is closed. */
  windowClosed: boolean;
}

/** The one place that decides transient (retry with backoff) versus permanent (fail the message). */
export function classifyGraphError(e: GraphError): Classified {
  if (e.kind === "timeout" || e.kind === "network") {
    return {
      retry: true,
      code: e.kind,
      detail: e.message ?? e.kind,
      channelUnhealthy: false,
      windowClosed: false,
    };
  }
  const detail = [e.message, e.details].filter(Boolean).join(": ") || `HTTP ${e.httpStatus}`;
  if (e.kind === "http" || e.code === undefined) {
    const retry = (e.httpStatus ?? 500) >= 500 || e.httpStatus === 429;
    return {
      retry,
      retryAfterMs: e.retryAfterMs,
      code: `http_${e.httpStatus}`,
      detail,
      channelUnhealthy: false,
      windowClosed: false,
    };
  }
  const retry = TRANSIENT.has(e.code) || (e.httpStatus !== undefined && e.httpStatus >= 500);
  return {
    retry,
    retryAfterMs: e.retryAfterMs,
    code: String(e.code),
    detail,
    channelUnhealthy: UNHEALTHY.has(e.code),
    windowClosed: e.code === WINDOW_CLOSED,
  };
}

/**
 * Exponential backoff with full jitter (base 1 s, cap 5 min); a `Retry-After` from Meta is a lower bound.
 * The pair-rate error (131056) asks for 4^n seconds between tries to the same person.
 */
export function backoffDelayMs(
  attempt: number,
  retryAfterMs?: number,
  code?: string,
  random: () => number = Math.random,
): number {
  const cap = 5 * 60_000;
  const base = code === "131056" ? 4 : 2;
  const exp = Math.min(cap, 1000 * base ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}
