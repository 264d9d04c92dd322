import { afterEach, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/loadConfig.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";

const OWNER = { email: "owner@example.com", name: "Olive Owner", password: "correct horse battery" };

/** Signs up the owner from behind a "proxy" claiming the client is 203.0.113.7; returns the address Parley saw. */
async function seenAddress(t: TestApp): Promise<string | null> {
  const setup = await t.api("POST", "/api/v1/auth/setup", OWNER, {
    key: null,
    headers: { "x-forwarded-for": "203.0.113.7" },
  });
  expect(setup.status).toBe(201);
  const cookie = String(setup.headers["set-cookie"]).split(";")[0] ?? "";
  const sessions = await t.api("GET", "/api/v1/me/sessions", undefined, { key: null, headers: { cookie } });
  return sessions.body.data[0].ip;
}

describe("PARLEY_TRUST_PROXY", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  test("by default a proxy on loopback or a private network may name the client", async () => {
    t = await startTestApp("sqlite");
    expect(await seenAddress(t)).toBe("203.0.113.7");
  });

  test("when no proxy is trusted, X-Forwarded-For is ignored", async () => {
    t = await startTestApp("sqlite", { env: { PARLEY_TRUST_PROXY: "false" } });
    expect(await seenAddress(t)).toBe("127.0.0.1");
  });

  test("a list that leaves out the proxy's address is not fooled", async () => {
    t = await startTestApp("sqlite", { env: { PARLEY_TRUST_PROXY: "10.0.0.0/8" } });
    expect(await seenAddress(t)).toBe("127.0.0.1");
  });

  test("a malformed value is a configuration error naming the variable", () => {
    expect(() => loadConfig({ PARLEY_TRUST_PROXY: "yes please!" })).toThrow(/PARLEY_TRUST_PROXY/);
  });
});
