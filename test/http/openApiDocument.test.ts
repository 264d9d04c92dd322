import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp } from "../support/testApp.ts";

/** Every (method, path) the server routes, read from Fastify's route tree; HEAD is implied by GET. */
function routedOperations(tree: string): string[] {
  const stack: string[] = [];
  const ops: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? "") + m[2]!;
    stack[depth] = path;
    for (const method of (m[3] ?? "").split(", ").filter((x) => x && x !== "HEAD"))
      ops.push(`${method} ${path.replace(/:(\w+)/g, "{$1}")}`);
  }
  return ops;
}

// Not Parley's API: the reference page itself, and the simulator's imitation of Meta's Graph API.
// The simulator is the mock Graph API (and its root a redirect to the simulator page), not Parley's API.
const outsideTheDocument = (op: string) => / \/(api\/docs|api\/openapi\.json|simulator(\/|$))/.test(op);

describe("the OpenAPI document", () => {
  let t: TestApp;
  let doc: {
    openapi: string;
    paths: Record<
      string,
      Record<string, { responses?: object; parameters?: { name: string; in: string }[] }>
    >;
  };

  beforeAll(async () => {
    t = await startTestApp("sqlite", { live: true });
    const res = await t.api("GET", "/api/openapi.json", undefined, { key: null });
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t.close());

  test("is OpenAPI 3.1 and lists every route the server answers, public hooks and Meta's webhook included", () => {
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routed = routedOperations(t.parley.server.printRoutes({ commonPrefix: false }));
    expect(routed.length).toBeGreaterThan(50);
    expect(routed.filter((op) => !outsideTheDocument(op)).sort()).toEqual(documented.sort());
    for (const op of [
      "POST /hooks/{token}",
      "GET /webhooks/whatsapp",
      "POST /webhooks/whatsapp",
      "GET /metrics",
    ])
      expect(documented).toContain(op);
  });

  test("every operation has responses and declares its path parameters", () => {
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        expect(op.responses, `${method} ${path}`).toBeTruthy();
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(declared.sort(), `${method} ${path}`).toEqual(inPath.sort());
      }
  });

  test("the reference page is served at /api/docs", async () => {
    const res = await t.api("GET", "/api/docs/", undefined, { key: null });
    expect(res.status).toBe(200);
    expect(String(res.headers["content-type"])).toContain("text/html");
    expect(res.text).toContain("/api/openapi.json");
    // No fonts from Scalar's CDN: the page must work on a server with no way out.
    expect(res.text).toMatch(/withDefaultFonts[^,]*false/);
  });
});
