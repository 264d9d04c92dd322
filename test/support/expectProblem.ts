import { expect } from "vitest";
import type { ApiResponse } from "./testApp.ts";

/**
 * Asserts an RFC 9457 problem response with the given status; with `field`, that one of `errors[]` names it.
 * Returns the problem body for further checks.
 */
export function expectProblem(res: ApiResponse, status: number, field?: string) {
  expect(res.status, res.text).toBe(status);
  expect(String(res.headers["content-type"])).toContain("application/problem+json");
  expect(res.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.stringMatching(/^urn:parley:problem:/),
  });
  if (field !== undefined) {
    const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
    expect(fields.join(" | ")).toContain(field);
  }
  return res.body as {
    status: number;
    title: string;
    detail: string;
    code: string;
    errors?: { field: string; message: string }[];
  };
}

/** Ids of a list response's `data`. */
export const ids = (res: ApiResponse): string[] => res.body.data.map((x: { id: string }) => x.id);

/**
 * Follows `next_cursor` from `url` (which must already have a `?`) with pages of `limit`, asserting each page is
 * a 200 of at most `limit` items; returns every id in the order seen. Bounded to 200 pages.
 */
export async function walkPages(
  api: (method: string, url: string) => Promise<ApiResponse>,
  url: string,
  limit: number,
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page++) {
    const res: ApiResponse = await api(
      "GET",
      `${url}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    seen.push(...ids(res));
    cursor = res.body.next_cursor;
    if (!cursor) return seen;
  }
  throw new Error(`more than 200 pages at ${url}`);
}
