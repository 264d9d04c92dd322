import { api } from "./api.ts";
import type { Page } from "./apiTypes.ts";

/**
 * Follows `next_cursor` until the end or `maxPages`; the cap keeps a huge history from stalling a view (ask for
 * `order=newest` where the latest items matter most, so the cap drops the oldest).
 */
export async function fetchAllPages<T>(path: string, maxPages = 10): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const page: Page<T> = await api<Page<T>>(
      "GET",
      cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path,
    );
    out.push(...page.data);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}
