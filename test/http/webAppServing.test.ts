import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureWebBuild } from "../e2e/browserSupport.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";

describe("serving the web app at /", () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureWebBuild();
    t = await startTestApp("sqlite", { webApp: true });
  }, 120_000);
  afterAll(() => t.close());

  test("/ and any app route serve index.html titled with the brand (escaped)", async () => {
    const root = await t.api("GET", "/", undefined, { key: null });
    expect(root.status).toBe(200);
    expect(String(root.headers["content-type"])).toContain("text/html");
    expect(root.text).toContain("<title>Parley</title>");
    await t.api("PATCH", "/api/v1/workspace", { brand_name: "Tom & Jerry's <Care>" });
    const deep = await t.api("GET", "/inbox/some-id?status=closed", undefined, { key: null });
    expect(deep.status).toBe(200);
    expect(deep.text).toContain("<title>Tom &#38; Jerry&#39;s &#60;Care&#62;</title>");
  });

  test("hashed assets are cached for good; API, missing files and non-GETs stay problems", async () => {
    const html = (await t.api("GET", "/", undefined, { key: null })).text;
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await t.api("GET", asset!, undefined, { key: null });
    expect(js.status).toBe(200);
    expect(js.headers["cache-control"]).toContain("immutable");
    // The initial bundle stays within budget, and is React's production build (not a NODE_ENV=test one).
    expect(gzipSync(Buffer.from(js.text)).length).toBeLessThanOrEqual(300 * 1024);
    expect(js.text).toContain("Minified React error");
    for (const [method, url] of [
      ["GET", "/api/v1/nope"],
      ["GET", "/assets/missing.js"],
      ["POST", "/inbox"],
    ] as const) {
      const res = await t.api(method, url, undefined, { key: null });
      expect(res.status, url).toBe(404);
      expect(String(res.headers["content-type"])).toContain("application/problem+json");
    }
    expect((await t.api("GET", "/api/v1/conversations", undefined, { key: null })).status).toBe(401);
    // A workflow's public hook takes POSTs only: a GET says so rather than serving the app.
    const hook = await t.api("GET", "/hooks/some-token", undefined, { key: null });
    expect(hook.status).toBe(405);
    expect(String(hook.headers["content-type"])).toContain("application/problem+json");
    expect(hook.headers.allow).toBe("POST");
  });
});
