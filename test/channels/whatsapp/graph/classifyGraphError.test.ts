import { describe, expect, test } from "vitest";
import {
  backoffDelayMs,
  classifyGraphError,
} from "../../../../src/channels/whatsapp/graph/classifyGraphError.ts";
import type { GraphError } from "../../../../src/channels/whatsapp/graph/graphClient.ts";

const api = (code: number, httpStatus = 400, extra: Partial<GraphError> = {}): GraphError => ({
  kind: "api",
  code,
  httpStatus,
  message: `(#${code}) title`,
  details: "details",
  ...extra,
});

describe("classifyGraphError", () => {
  test.each([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057])("code %i is transient", (code) => {
    expect(classifyGraphError(api(code))).toMatchObject({ retry: true, code: String(code) });
  });

  test.each([
    0, 10, 100, 190, 368, 130497, 131008, 131009, 131021, 131026, 131031, 131047, 131049, 131050, 131051,
    132000, 132001, 132012, 132015, 132016,
  ])("code %i is permanent", (code) => {
    expect(classifyGraphError(api(code))).toMatchObject({ retry: false, code: String(code) });
  });

  test("Meta's code wins over the HTTP status", () => {
    expect(classifyGraphError(api(131026, 500)).retry).toBe(false);
    expect(classifyGraphError(api(4, 429)).retry).toBe(true);
    expect(classifyGraphError(api(131000, 500)).retry).toBe(true);
  });

  test("unknown codes: 4xx is permanent, 5xx and 429 are transient", () => {
    expect(classifyGraphError(api(999_999, 400)).retry).toBe(false);
    expect(classifyGraphError(api(999_999, 403)).retry).toBe(false);
    expect(classifyGraphError(api(999_999, 502)).retry).toBe(true);
    expect(classifyGraphError(api(999_999, 429)).retry).toBe(true);
  });

  test.each<[string, GraphError, boolean, string]>([
    ["timeout", { kind: "timeout", message: "no answer" }, true, "timeout"],
    ["network", { kind: "network", message: "fetch failed: ECONNREFUSED" }, true, "network"],
    ["bare 500", { kind: "http", httpStatus: 500 }, true, "http_500"],
    ["bare 503", { kind: "http", httpStatus: 503 }, true, "http_503"],
    ["bare 429", { kind: "http", httpStatus: 429 }, true, "http_429"],
    ["bare 404", { kind: "http", httpStatus: 404 }, false, "http_404"],
    [
      "unreadable 200",
      { kind: "http", httpStatus: 200, message: "response was not JSON" },
      false,
      "http_200",
    ],
  ])("%s", (_name, e, retry, code) => {
    expect(classifyGraphError(e)).toMatchObject({
      retry,
      code,
      channelUnhealthy: false,
      windowClosed: false,
    });
  });

  test("a bad token marks the channel unhealthy", () => {
    expect(classifyGraphError(api(190, 401)).channelUnhealthy).toBe(true);
    expect(classifyGraphError(api(0, 401)).channelUnhealthy).toBe(true);
    expect(classifyGraphError(api(100)).channelUnhealthy).toBe(false);
  });

  test("131047 says the window is closed", () => {
    expect(classifyGraphError(api(131047))).toMatchObject({ retry: false, windowClosed: true });
    expect(classifyGraphError(api(131026)).windowClosed).toBe(false);
  });

  test("detail joins Meta's message and details; Retry-After is carried", () => {
    const c = classifyGraphError(api(130429, 400, { retryAfterMs: 3000 }));
    expect(c).toMatchObject({ detail: "(#130429) title: details", retryAfterMs: 3000 });
  });
});

describe("backoffDelayMs", () => {
  const top = () => 0.999_999;
  const bottom = () => 0;

  test("doubles from 1 s with full jitter below the ceiling", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, undefined, undefined, top))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(backoffDelayMs(3, undefined, undefined, bottom)).toBe(0);
    expect(backoffDelayMs(3, undefined, undefined, () => 0.5)).toBe(2000);
  });

  test("never exceeds 5 minutes", () => {
    expect(backoffDelayMs(30, undefined, undefined, top)).toBe(300_000);
    for (let i = 0; i < 100; i++) expect(backoffDelayMs(12)).toBeLessThanOrEqual(300_000);
  });

  test("Retry-After is a lower bound", () => {
    expect(backoffDelayMs(1, 7000, "130429", bottom)).toBe(7000);
    expect(backoffDelayMs(10, 7000, "130429", top)).toBe(300_000);
  });

  test("pair rate (131056) waits 4^X seconds, X = 0, 1, 2 …, without jitter below it", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, undefined, "131056", bottom))).toEqual([
      1000, 4000, 16_000, 64_000,
    ]);
    expect(backoffDelayMs(9, undefined, "131056")).toBe(300_000);
    expect(backoffDelayMs(1, 9000, "131056")).toBe(9000);
  });
});
