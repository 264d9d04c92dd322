import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const OWNER = { email: "Owner@Example.com", name: "Olive Owner", password: "correct horse battery" };

/** A browser-like client: keeps the session cookie and sends the CSRF token on writes. */
function browser(t: TestApp) {
  let cookie = "";
  let csrf = "";
  return {
    async call(method: string, url: string, body?: unknown, opts: { csrf?: string | null } = {}) {
      const token = opts.csrf === undefined ? csrf : opts.csrf;
      const res = await t.api(method, url, body, {
        key: null,
        headers: { ...(cookie ? { cookie } : {}), ...(token ? { "x-csrf-token": token } : {}) },
      });
      const set = res.headers["set-cookie"];
      if (typeof set === "string") cookie = set.split(";")[0]!.endsWith("=") ? "" : set.split(";")[0]!;
      if (res.body?.csrf_token) csrf = res.body.csrf_token;
      return res;
    },
    get cookie() {
      return cookie;
    },
  };
}

describe.each(engines)("web sign-in and roles on %s", (engine) => {
  let t: TestApp;
  let owner: ReturnType<typeof browser>;

  beforeAll(async () => {
    t = await startTestApp(engine);
    owner = browser(t);
  });
  afterAll(() => t.close());

  test("a fresh install asks for setup and shows the brand", async () => {
    const res = await t.api("GET", "/api/v1/auth/state", undefined, { key: null });
    expect(res.body).toEqual({ setup_required: true, brand_name: "Parley" });
  });

  test("setup validates, creates the owner, signs in with an httpOnly SameSite cookie", async () => {
    expectProblem(
      await owner.call("POST", "/api/v1/auth/setup", { ...OWNER, password: "short" }),
      422,
      "password",
    );
    const res = await owner.call("POST", "/api/v1/auth/setup", { ...OWNER, brand_name: "Acme Care" });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ user: { email: "owner@example.com", role: "owner" }, role: "owner" });
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/^parley_session=[\w-]{40,};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect((await t.api("GET", "/api/v1/auth/state", undefined, { key: null })).body).toEqual({
      setup_required: false,
      brand_name: "Acme Care",
    });
    // Setup is a one-time door.
    expectProblem(await browser(t).call("POST", "/api/v1/auth/setup", { ...OWNER, email: "x@y.co" }), 409);
  });

  test("the cookie works on the existing v1 API; API keys keep working", async () => {
    const me = await owner.call("GET", "/api/v1/me");
    expect(me.body).toMatchObject({ user: { name: "Olive Owner" }, workspace: { brand_name: "Acme Care" } });
    expect((await owner.call("GET", "/api/v1/conversations")).status).toBe(200);
    expect((await t.api("GET", "/api/v1/me")).body).toMatchObject({ user: null, role: "admin" });
  });

  test("cookie writes need the CSRF token; API-key writes don't", async () => {
    const p = expectProblem(
      await owner.call("POST", "/api/v1/conversation-categories", { name: "Refunds" }, { csrf: null }),
      403,
    );
    expect(p.code).toBe("csrf");
    expectProblem(
      await owner.call("POST", "/api/v1/conversation-categories", { name: "Refunds" }, { csrf: "forged" }),
      403,
    );
    expect((await owner.call("POST", "/api/v1/conversation-categories", { name: "Refunds" })).status).toBe(
      201,
    );
    expect((await t.api("POST", "/api/v1/conversation-categories", { name: "Returns" })).status).toBe(201);
  });

  test("agents work the inbox but are refused settings, channels, keys and user management", async () => {
    const created = await owner.call("POST", "/api/v1/users", {
      email: "agent@example.com",
      name: "Ada Agent",
      role: "agent",
      password: "agent password 1",
    });
    expect(created.status, created.text).toBe(201);
    const agent = browser(t);
    expect(
      (
        await agent.call("POST", "/api/v1/auth/login", {
          email: "AGENT@example.com",
          password: "agent password 1",
        })
      ).status,
    ).toBe(200);
    expect((await agent.call("GET", "/api/v1/conversations")).status).toBe(200);
    expect((await agent.call("GET", "/api/v1/workspace")).status).toBe(200);
    expect((await agent.call("GET", "/api/v1/users")).status).toBe(200);
    for (const [method, url, body] of [
      ["PATCH", "/api/v1/workspace", { brand_name: "Hacked" }],
      ["POST", "/api/v1/conversation-categories", { name: "Nope" }],
      ["PATCH", "/api/v1/conversation-categories/sales", { name: "Nope" }],
      ["POST", "/api/v1/channels", {}],
      ["GET", "/api/v1/api-keys", undefined],
      ["POST", "/api/v1/api-keys", { name: "k" }],
      ["POST", "/api/v1/users", { email: "e@x.co", name: "E", role: "admin", password: "0123456789" }],
      ["POST", "/api/v1/workflows", {}],
      ["POST", "/api/v1/workflow-runs/some-run/cancel", undefined],
    ] as const) {
      const p = expectProblem(await agent.call(method, url, body), 403);
      expect(p.code, `${method} ${url}`).toBe("forbidden");
    }
  });

  test("wrong passwords are refused alike for unknown emails, and rate-limited", async () => {
    const unknown = await browser(t).call("POST", "/api/v1/auth/login", {
      email: "no@x.co",
      password: "whatever",
    });
    const wrong = await browser(t).call("POST", "/api/v1/auth/login", {
      email: "agent@example.com",
      password: "whatever1",
    });
    expect(expectProblem(unknown, 401).detail).toBe(expectProblem(wrong, 401).detail);
    for (let i = 0; i < 9; i++) {
      await browser(t).call("POST", "/api/v1/auth/login", {
        email: "agent@example.com",
        password: `nope ${i}`,
      });
    }
    const limited = await browser(t).call("POST", "/api/v1/auth/login", {
      email: "agent@example.com",
      password: "agent password 1",
    });
    expectProblem(limited, 429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
  });

  test("sessions are listed and revocable; logout ends the session", async () => {
    const second = browser(t);
    expect(
      (await second.call("POST", "/api/v1/auth/login", { email: OWNER.email, password: OWNER.password }))
        .status,
    ).toBe(200);
    const list = await owner.call("GET", "/api/v1/me/sessions");
    expect(list.body.data.length).toBe(2);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect((await owner.call("DELETE", `/api/v1/me/sessions/${other.id}`)).status).toBe(204);
    expectProblem(await second.call("GET", "/api/v1/me"), 401);

    expect((await owner.call("POST", "/api/v1/auth/logout")).status).toBe(204);
    expect(owner.cookie).toBe("");
  });

  test("API keys: created once in plaintext, listed by prefix, revoked", async () => {
    const admin = browser(t);
    await admin.call("POST", "/api/v1/auth/login", { email: OWNER.email, password: OWNER.password });
    const made = await admin.call("POST", "/api/v1/api-keys", { name: "zapier" });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^pk_/);
    const list = await admin.call("GET", "/api/v1/api-keys");
    const row = list.body.data.find((k: { id: string }) => k.id === made.body.id);
    expect(row).toEqual({
      id: made.body.id,
      name: "zapier",
      prefix: made.body.key.slice(0, 10),
      created_at: expect.any(String),
    });
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    expect((await t.api("GET", "/api/v1/me", undefined, { key: made.body.key })).status).toBe(200);
    expect((await admin.call("DELETE", `/api/v1/api-keys/${made.body.id}`)).status).toBe(204);
  });

  test("a disabled user's sessions end at once", async () => {
    const admin = browser(t);
    await admin.call("POST", "/api/v1/auth/login", { email: OWNER.email, password: OWNER.password });
    const u = await admin.call("POST", "/api/v1/users", {
      email: "temp@example.com",
      name: "Temp",
      role: "agent",
      password: "temp password 1",
    });
    const temp = browser(t);
    await temp.call("POST", "/api/v1/auth/login", { email: "temp@example.com", password: "temp password 1" });
    expect((await temp.call("GET", "/api/v1/me")).status).toBe(200);
    expect((await admin.call("PATCH", `/api/v1/users/${u.body.id}`, { disabled: true })).body.disabled).toBe(
      true,
    );
    expectProblem(await temp.call("GET", "/api/v1/me"), 401);
  });
});
