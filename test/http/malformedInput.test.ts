import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const json = { "content-type": "application/json" };

describe.each(engines)("malformed input never yields a 500 on %s", (engine) => {
  let t: TestApp;
  let conversationId: string;
  let contactId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const channelId = await createChannel(t);
    contactId = await createContact(t);
    conversationId = (await openConversation(t, { contact_id: contactId, channel_id: channelId }))
      .conversation.id;
  });
  afterAll(() => t.close());

  const postRoutes = () => [
    "/api/v1/contacts",
    "/api/v1/conversations/open",
    `/api/v1/conversations/${conversationId}/close`,
    `/api/v1/conversations/${conversationId}/assign`,
    `/api/v1/conversations/${conversationId}/messages`,
    "/api/v1/channels",
    "/api/v1/conversation-categories",
  ];

  test("invalid JSON is a 400 problem", async () => {
    for (const url of postRoutes()) {
      for (const body of ["{", "{'a':1}", '{"a":}', "[1,", "nul", '{"a":1}}', "\u0000"]) {
        const p = expectProblem(await t.api("POST", url, body, { headers: json }), 400);
        expect(p.code).toMatch(/malformed_json|bad_request/);
      }
    }
    expectProblem(await t.api("PATCH", "/api/v1/workspace", "{", { headers: json }), 400);
    expectProblem(await t.api("PATCH", `/api/v1/contacts/${contactId}`, "{x}", { headers: json }), 400);
  });

  test("an empty body with Content-Type: application/json is a 400", async () => {
    expectProblem(await t.api("POST", "/api/v1/contacts", "", { headers: json }), 400);
  });

  test("prototype-pollution keys are refused", async () => {
    const res = await t.api("POST", "/api/v1/contacts", '{"phone":"+14155550123","__proto__":{"x":1}}', {
      headers: json,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test("a wrong content type is a 415 problem", async () => {
    for (const type of [
      "text/plain",
      "application/xml",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "image/png",
    ]) {
      for (const url of postRoutes()) {
        const res = await t.api("POST", url, "phone=+14155550123", { headers: { "content-type": type } });
        expectProblem(res, 415);
      }
    }
  });

  test("a body over 1 MiB is a 413 problem", async () => {
    const big = JSON.stringify({ phone: "+14155550123", name: "x".repeat(1024 * 1024) });
    expectProblem(await t.api("POST", "/api/v1/contacts", big, { headers: json }), 413);
    const justUnder = JSON.stringify({ phone: "+14155550123", fields: { blob: "x".repeat(1000 * 1000) } });
    const ok = await t.api("POST", "/api/v1/contacts", justUnder, { headers: json });
    expect(ok.status).toBeLessThan(300);
  });

  test("unknown fields are 422s that name each of them", async () => {
    const cases: [string, string, unknown, string[]][] = [
      ["POST", "/api/v1/contacts", { phone: "+14155550123", foo: 1, bar: 2 }, ["foo", "bar"]],
      [
        "POST",
        "/api/v1/conversations/open",
        { contact_id: contactId, channel_id: "x", priority: 1 },
        ["priority"],
      ],
      ["POST", `/api/v1/conversations/${conversationId}/close`, { category: "sales", note: "x" }, ["note"]],
      ["POST", `/api/v1/conversations/${conversationId}/assign`, { type: "bot", team: "x" }, ["team"]],
      ["PATCH", "/api/v1/workspace", { timezone: "UTC" }, ["timezone"]],
      ["PATCH", `/api/v1/contacts/${contactId}`, { email: "a@b.c" }, ["email"]],
      ["POST", "/api/v1/conversation-categories", { name: "x", color: "red" }, ["color"]],
    ];
    for (const [method, url, body, fields] of cases) {
      const p = expectProblem(await t.api(method, url, body), 422);
      const named = (p.errors ?? []).map((e) => e.field).join(",");
      for (const f of fields) expect(named, `${method} ${url}`).toContain(f);
      expect(p.detail).toContain(fields[0]!);
    }
  });

  test("unknown query parameters are 422s too", async () => {
    expectProblem(await t.api("GET", "/api/v1/conversations?foo=1"), 422, "foo");
    expectProblem(await t.api("GET", "/api/v1/contacts?order=desc"), 422, "order");
  });

  test("missing, malformed or unknown API keys are 401 problems", async () => {
    const headerCases: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: "" },
      { authorization: "Bearer" },
      { authorization: "Bearer " },
      { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      { authorization: "Bearer pk_not_a_real_key" },
      { authorization: `bearer ${t?.apiKey ?? ""}x` },
      { authorization: `Token ${"x".repeat(10_000)}` },
    ];
    for (const url of [
      "/api/v1/workspace",
      "/api/v1/conversations",
      `/api/v1/conversations/${conversationId}`,
    ]) {
      for (const headers of headerCases) {
        const res = await t.api("GET", url, undefined, { key: null, headers });
        expectProblem(res, 401);
      }
    }
    // Auth comes before body parsing: a bad key with a bad body is still a 401.
    expectProblem(await t.api("POST", "/api/v1/contacts", "{", { key: "nope", headers: json }), 401);
    // The health check needs no key.
    expect((await t.api("GET", "/healthz", undefined, { key: null })).status).toBe(200);
  });

  test("wrong types everywhere are 4xx problems with status, title and detail", async () => {
    const bodies: unknown[] = [null, [], "string", 42, true, { phone: null }, { phone: [] }, { phone: {} }];
    for (const url of postRoutes()) {
      for (const body of bodies) {
        const res = await t.api("POST", url, JSON.stringify(body), { headers: json });
        expect(res.status, `${url} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expectProblem(res, res.status);
      }
    }
    const typed: [string, string, unknown, string][] = [
      ["POST", "/api/v1/conversations/open", { contact_id: 1, channel_id: "x" }, "contact_id"],
      ["POST", "/api/v1/conversations/open", { contact_id: "x", channel_id: ["x"] }, "channel_id"],
      [
        "POST",
        "/api/v1/conversations/open",
        { contact_id: "x", channel_id: "y", assignee: "bot" },
        "assignee",
      ],
      ["POST", "/api/v1/channels", { name: "x" }, "phone_number_id"],
      ["POST", "/api/v1/channels", { name: 1, phone_number_id: "abc" }, "phone_number_id"],
      ["PATCH", `/api/v1/contacts/${contactId}`, { tags: [1, 2] }, "tags[0]"],
      ["PATCH", `/api/v1/contacts/${contactId}`, { fields: "x" }, "fields"],
      ["PATCH", "/api/v1/conversation-categories/sales", { position: "first" }, "position"],
      ["PATCH", "/api/v1/conversation-categories/sales", { archived: "yes" }, "archived"],
    ];
    for (const [method, url, body, field] of typed) expectProblem(await t.api(method, url, body), 422, field);
  });

  test("strings with NUL characters are refused with a 422 naming the field, on both engines", async () => {
    expectProblem(
      await t.api("POST", "/api/v1/contacts", { phone: "+14155550123", name: "a\u0000b" }),
      422,
      "name",
    );
    expectProblem(
      await t.api("POST", "/api/v1/contacts", { phone: "+14155550123", fields: { note: ["ok", "x\u0000"] } }),
      422,
      "fields.note[1]",
    );
    expectProblem(await t.api("GET", "/api/v1/contacts?q=%00"), 422, "q");
    expectProblem(await t.api("GET", "/api/v1/conversations/%00abc"), 422, "id");
    expectProblem(
      await t.api("POST", `/api/v1/conversations/${conversationId}/close`, { summary: "done\u0000" }),
      422,
      "summary",
    );
    expect((await t.api("GET", `/api/v1/conversations/${conversationId}`)).body.status).toBe("open");
  });

  test("bad URLs and unknown routes are problems, not framework JSON", async () => {
    expectProblem(await t.api("GET", "/api/v1/nothing-here"), 404);
    // A known path with a method it doesn't take: 405 naming the methods it does take.
    const wrongMethod = await t.api("DELETE", `/api/v1/conversations/${conversationId}`);
    expectProblem(wrongMethod, 405);
    expect(wrongMethod.headers.allow).toBe("GET, HEAD");
    expect(wrongMethod.body.detail).toBe(
      `DELETE is not supported on /api/v1/conversations/${conversationId}; use GET, HEAD`,
    );
    expect((await t.api("PUT", "/api/v1/workflows")).headers.allow).toBe("GET, HEAD, POST");
    expectProblem(await t.api("GET", "/api/v1/contacts/%E0%A4%A"), 400);
    // Any id is looked up or checked against its schema (an id that can't exist is a 404 naming it); a path
    // parameter past 1,000 characters is refused by the router (414).
    expectProblem(await t.api("GET", `/api/v1/conversations/${"a".repeat(100)}`), 404);
    expectProblem(await t.api("GET", `/api/v1/contacts/${"a".repeat(150)}/timeline`), 404);
    expectProblem(await t.api("GET", `/api/v1/workflows/${"a".repeat(150)}`), 404);
    expectProblem(await t.api("GET", `/api/v1/conversations/${"a".repeat(500)}`), 404, "id");
    expectProblem(await t.api("GET", `/api/v1/conversations/${"a".repeat(1001)}`), 414);
  });

  test("bad query values are 422s", async () => {
    expectProblem(await t.api("GET", "/api/v1/events?last_event_id=abc"), 422, "last_event_id");
    expectProblem(await t.api("GET", "/api/v1/events?last_event_id=-1"), 422, "last_event_id");
    expectProblem(await t.api("GET", "/api/v1/reports/closes-by-category?from=yesterday"), 422, "from");
    expectProblem(
      await t.api("GET", `/api/v1/conversations/${conversationId}/closings?limit=0`),
      422,
      "limit",
    );
    expectProblem(await t.api("GET", "/api/v1/conversations?limit=1&limit=2"), 422, "limit");
    expectProblem(await t.api("GET", "/api/v1/conversations?limit=1e999"), 422, "limit");
  });

  test("over a real TCP port: bad JSON, oversized body and a missing key are problems", async () => {
    await t.parley.server.listen({ port: 0, host: "127.0.0.1" });
    const address = t.parley.server.addresses().find((a) => typeof a === "object");
    const base = `http://127.0.0.1:${address!.port}`;
    const auth = { authorization: `Bearer ${t.apiKey}`, ...json };

    const bad = await fetch(`${base}/api/v1/contacts`, { method: "POST", headers: auth, body: "{oops" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(await bad.json()).toMatchObject({ status: 400, title: "Bad Request" });

    const big = await fetch(`${base}/api/v1/contacts`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ phone: "+14155550123", name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ status: 413, code: "body_too_large" });

    const anonymous = await fetch(`${base}/api/v1/conversations`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toContain("application/problem+json");

    const ok = await fetch(`${base}/api/v1/contacts`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ phone: "+14155550999", name: "Over TCP" }),
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ phone: "+14155550999", name: "Over TCP" });
  });
});
