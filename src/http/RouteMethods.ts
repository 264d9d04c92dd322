/**
 * Which methods each registered route answers, so a request for a known path with another method gets a 405
 * with `Allow` (RFC 9110) instead of a 404 that suggests the path is wrong. Fastify only reports "no route".
 */
export class RouteMethods {
  readonly #routes: { pattern: RegExp; method: string }[] = [];

  add(methods: string | string[], url: string): void {
    // `:param` matches one path segment, `*` the rest; everything else literally.
    const source = url
      .split(/(:[A-Za-z0-9_]+|\*)/)
      .map((part) =>
        part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
    const pattern = new RegExp(`^${source}/?$`);
    for (const method of Array.isArray(methods) ? methods : [methods])
      this.#routes.push({ pattern, method: method.toUpperCase() });
  }

  /** The methods some route answers for this path (without its query), sorted; empty when none does. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const r of this.#routes) if (r.pattern.test(path)) methods.add(r.method);
    return [...methods].sort();
  }
}
