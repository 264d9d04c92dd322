/**
 * Event payloads are camelCase with epoch-ms times inside; the API speaks snake_case and ISO-8601 (timeline entries
 * and the SSE stream alike), so `openedAt: 1795592545081` becomes `opened_at: "2026-11-25T07:42:25.081Z"`.
 */
export function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => {
      const key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (key.endsWith("_at") && typeof v === "number" && Number.isFinite(v))
        return [key, new Date(v).toISOString()];
      return [
        key,
        v && typeof v === "object" && !Array.isArray(v) ? snakeKeys(v as Record<string, unknown>) : v,
      ];
    }),
  );
}
