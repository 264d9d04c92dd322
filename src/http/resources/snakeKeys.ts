/** Event payloads are camelCase inside; the API speaks snake_case (timeline entries and the SSE stream alike). */
export function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      v && typeof v === "object" && !Array.isArray(v) ? snakeKeys(v as Record<string, unknown>) : v,
    ]),
  );
}
