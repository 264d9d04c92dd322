import { api } from "./api.ts";
import type { Page } from "./apiTypes.ts";

/**
 * Follows `next_cursor` until the end or `maxPages`. The message and timeline endpoints page oldest-first, and
 * a conversation view needs the newest end, so it reads forward; the cap keeps a huge history from stalling
 * the view (the newest items past it would then be missing — see docs/web-app.md).
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
