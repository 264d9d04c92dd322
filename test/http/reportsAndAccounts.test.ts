import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { inboundMessageRow } from "../../src/channels/whatsapp/ingest/inboundMessageRow.ts";
import type { WebhookMessageEvent } from "../../src/channels/whatsapp/webhook/webhookEvent.ts";
import { LoginLimiter } from "../../src/http/LoginLimiter.ts";
import { createDatabase } from "../../src/store/createDatabase.ts";
import { SecretBox } from "../../src/store/secretBox.ts";
import { createStoreContext } from "../../src/store/storeContext.ts";
import { createChannel, createContact, openWindow } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, TEST_SECRET, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const MIN = 60_000;
const OWNER = { email: "olive@example.com", name: "Olive Owner", password: "owner password 1" };

/** A cookie client (session + CSRF), like the web app. */
function browser(t: TestApp) {
  let cookie = "";
  let csrf = "";
  return {
    async call(method: string, url: string, body?: unknown, extra: Record<string, string> = {}) {
      const res = await t.api(method, url, body, {
        key: null,
        headers: { ...(cookie ? { cookie } : {}), ...(csrf ? { "x-csrf-token": csrf } : {}), ...extra },
      });
      const set = res.headers["set-cookie"];
      if (typeof set === "string") cookie = set.split(";")[0]!.endsWith("=") ? "" : set.split(";")[0]!;
      if (res.body?.csrf_token) csrf = res.body.csrf_token;
      return res;
    },
  };
}

describe.each(engines)("response-time report, CSV export, filtered counts on %s", (engine) => {
  let t: TestApp;
  let clock = Date.UTC(2025, 2, 10, 9);
  let ch1: string;
  let ch2: string;
  let owner: ReturnType<typeof browser>;
  let ownerId: string;

  beforeAll(async () => {
    t = await startTestApp(engine, { now: () => clock });
    ch1 = await createChannel(t, 1);
    ch2 = await createChannel(t, 2);
    owner = browser(t);
    const setup = await owner.call("POST", "/api/v1/auth/setup", OWNER);
    expect(setup.status, setup.text).toBe(201);
    ownerId = setup.body.user.id;
  });
  afterAll(() => t.close());

  /** Opens, optionally replies after `replyAfter` (as Olive, or with the API key as a bot-less API call), closes after `closeAfter`. */
  async function cycle(o: {
    channel: string;
    replyAfter?: number;
    closeAfter: number;
    category: string;
    name?: string;
    summary?: string;
  }) {
    const start = clock;
    const contactId = await createContact(t, undefined, o.name);
    const open = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: o.channel,
    });
    const id = open.body.conversation.id as string;
    await openWindow(t, id, clock);
    if (o.replyAfter !== undefined) {
      clock = start + o.replyAfter;
      const sent = await owner.call("POST", `/api/v1/conversations/${id}/messages`, { text: "Hi, on it" });
      expect(sent.status, sent.text).toBe(201);
    }
    clock = start + o.closeAfter;
    const closed = await owner.call("POST", `/api/v1/conversations/${id}/close`, {
      category: o.category,
      summary: o.summary ?? null,
    });
    expect(closed.status, closed.text).toBe(200);
    clock += MIN;
    return id;
  }

  test("median resolution and first-response times by category and by agent", async () => {
    await cycle({ channel: ch1, replyAfter: 2 * MIN, closeAfter: 30 * MIN, category: "sales" });
    await cycle({ channel: ch1, replyAfter: 4 * MIN, closeAfter: 50 * MIN, category: "sales" });
    await cycle({ channel: ch1, replyAfter: 9 * MIN, closeAfter: 70 * MIN, category: "sales" });
    await cycle({ channel: ch2, closeAfter: 10 * MIN, category: "support" });

    const res = await t.api(
      "GET",
      "/api/v1/reports/response-times?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z",
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.by_category).toEqual([
      {
        category: { key: "sales", name: "Sales" },
        closes: 3,
        median_resolution_ms: 50 * MIN,
        first_responses: 3,
        median_first_response_ms: 4 * MIN,
      },
      {
        category: { key: "support", name: "Support" },
        closes: 1,
        median_resolution_ms: 10 * MIN,
        first_responses: 0,
        median_first_response_ms: null,
      },
    ]);
    expect(res.body.by_agent).toEqual([
      {
        actor: { type: "agent", id: ownerId },
        name: "Olive Owner",
        closes: 4,
        median_resolution_ms: 40 * MIN,
        first_responses: 3,
        median_first_response_ms: 4 * MIN,
      },
    ]);

    const one = await t.api(
      "GET",
      `/api/v1/reports/response-times?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z&channel_id=${ch2}`,
    );
    expect(one.body.by_category.map((r: { category: { key: string } }) => r.category.key)).toEqual([
      "support",
    ]);
    const empty = await t.api(
      "GET",
      "/api/v1/reports/response-times?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z",
    );
    expect(empty.body).toMatchObject({ by_category: [], by_agent: [] });
  });

  test("the CSV export has one row per close, filtered by range and channel, formulas defused", async () => {
    await cycle({
      channel: ch2,
      replyAfter: MIN,
      closeAfter: 5 * MIN,
      category: "general-inquiry",
      name: "=HYPERLINK(evil)",
      summary: 'Said "thanks", left',
    });
    const res = await t.api(
      "GET",
      `/api/v1/reports/closings.csv?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z&channel_id=${ch2}`,
    );
    expect(res.status, res.text).toBe(200);
    expect(String(res.headers["content-type"])).toContain("text/csv");
    expect(String(res.headers["content-disposition"])).toBe(
      'attachment; filename="closings-2025-03-01-to-2025-03-31.csv"',
    );
    const lines = res.text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "closed_at,opened_at,conversation_id,channel_id,contact_phone,contact_name,category_key,category,summary,closed_by_type,closed_by,resolution_minutes,first_response_minutes,first_response_by",
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(",support,Support,,agent,Olive Owner,10.0,,");
    expect(lines[2]).toContain(
      `'=HYPERLINK(evil),general-inquiry,General Inquiry,"Said ""thanks"", left",agent,Olive Owner,5.0,1.0,Olive Owner`,
    );
    const none = await t.api(
      "GET",
      "/api/v1/reports/closings.csv?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z",
    );
    expect(none.text.trim().split("\r\n")).toHaveLength(1);
    expectProblem(
      await t.api("GET", "/api/v1/reports/closings.csv?from=2025-04-01T00:00:00Z&to=2025-03-01T00:00:00Z"),
      422,
      "from",
    );
  });

  test("the new endpoints are in the OpenAPI document", async () => {
    const doc = (await t.api("GET", "/api/openapi.json")).body;
    expect(doc.paths["/api/v1/reports/response-times"].get.responses["200"]).toBeDefined();
    expect(doc.paths["/api/v1/reports/closings.csv"].get.description).toContain("CSV");
    expect(doc.paths["/api/v1/me/password"].post).toBeDefined();
    expect(
      doc.paths["/api/v1/conversations/counts"].get.parameters.map((p: { name: string }) => p.name).sort(),
    ).toEqual(["assignee", "category", "channel_id", "q"]);
  });

  test("tab counts follow the list's filters", async () => {
    const all = await t.api("GET", "/api/v1/conversations/counts");
    expect(all.body).toEqual({ open: 0, closed: 5 });
    const contact = await createContact(t, "+14155550999", "Zed Open");
    await t.api("POST", "/api/v1/conversations/open", { contact_id: contact, channel_id: ch1 });
    expect((await t.api("GET", "/api/v1/conversations/counts")).body).toEqual({ open: 1, closed: 5 });
    expect((await t.api("GET", `/api/v1/conversations/counts?channel_id=${ch2}`)).body).toEqual({
      open: 0,
      closed: 2,
    });
    expect((await t.api("GET", "/api/v1/conversations/counts?category=sales")).body).toEqual({
      open: 0,
      closed: 3,
    });
    expect((await t.api("GET", "/api/v1/conversations/counts?q=zed")).body).toEqual({ open: 1, closed: 0 });
    expect((await t.api("GET", "/api/v1/conversations/counts?q=0999")).body).toEqual({ open: 1, closed: 0 });
    expect((await t.api("GET", "/api/v1/conversations/counts?assignee=none")).body).toEqual({
      open: 1,
      closed: 5,
    });
    expect((await t.api("GET", `/api/v1/conversations/counts?assignee=agent:${ownerId}`)).body).toEqual({
      open: 0,
      closed: 0,
    });
    expectProblem(await t.api("GET", "/api/v1/conversations/counts?assignee=martians"), 422, "assignee");
    expectProblem(await t.api("GET", "/api/v1/conversations/counts?status=open"), 422);
  });
  test("first response runs from the customer's first message, not from the business's own opening message", async () => {
    const ch3 = await createChannel(t, 3);
    const contactId = await createContact(t);
    const open = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: contactId,
      channel_id: ch3,
    });
    const id = open.body.conversation.id as string;
    await openWindow(t, id, clock);
    // The business writes first (as a workflow's opening message would) …
    expect(
      (await owner.call("POST", `/api/v1/conversations/${id}/messages`, { text: "Your order shipped" }))
        .status,
    ).toBe(201);
    // … the customer answers ten minutes later, and the agent replies three minutes after that.
    clock += 10 * MIN;
    await t.parley.deps.store.db
      .insertInto("messages")
      .values(
        inboundMessageRow(
          {
            type: "text",
            content: { text: "Where is it now?" },
            waMessageId: `wamid.rt-${engine}`,
          } as unknown as WebhookMessageEvent,
          { id: `in-${engine}`, workspaceId: t.workspaceId, conversationId: id, contactId, channelId: ch3 },
          { at: clock, now: clock },
        ),
      )
      .execute();
    clock += 3 * MIN;
    expect(
      (await owner.call("POST", `/api/v1/conversations/${id}/messages`, { text: "In Lyon today" })).status,
    ).toBe(201);
    clock += 7 * MIN;
    expect(
      (await owner.call("POST", `/api/v1/conversations/${id}/close`, { category: "support" })).status,
    ).toBe(200);

    const res = await t.api(
      "GET",
      `/api/v1/reports/response-times?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z&channel_id=${ch3}`,
    );
    expect(res.body.by_category).toEqual([
      {
        category: { key: "support", name: "Support" },
        closes: 1,
        median_resolution_ms: 20 * MIN,
        first_responses: 1,
        median_first_response_ms: 3 * MIN,
      },
    ]);
    const csv = await t.api(
      "GET",
      `/api/v1/reports/closings.csv?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z&channel_id=${ch3}`,
    );
    const [header, row] = csv.text.trim().split("\n");
    const cell = (name: string) => row?.split(",")[header?.split(",").indexOf(name) ?? -1];
    expect(cell("resolution_minutes")).toBe("20.0");
    expect(cell("first_response_minutes")).toBe("3.0");
  });

  test("a reply sent with an API key is a first response, counted under one API row", async () => {
    const saved = clock;
    clock = Date.UTC(2025, 5, 2, 9);
    const start = clock;
    const open = await t.api("POST", "/api/v1/conversations/open", {
      contact_id: await createContact(t),
      channel_id: ch1,
    });
    const id = open.body.conversation.id as string;
    await openWindow(t, id, clock);
    clock = start + 3 * MIN;
    const sent = await t.api("POST", `/api/v1/conversations/${id}/messages`, { text: "Hi, on it" });
    expect(sent.body.author.type).toBe("api");
    clock = start + 20 * MIN;
    expect((await t.api("POST", `/api/v1/conversations/${id}/close`, { category: "sales" })).status).toBe(
      200,
    );
    const res = await t.api(
      "GET",
      "/api/v1/reports/response-times?from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z",
    );
    expect(res.body.by_agent).toEqual([
      {
        actor: { type: "api", id: null },
        name: null,
        closes: 1,
        median_resolution_ms: 20 * MIN,
        first_responses: 1,
        median_first_response_ms: 3 * MIN,
      },
    ]);
    clock = saved;
  });
});

describe.each(engines)("passwords and the shared sign-in limiter on %s", (engine) => {
  let t: TestApp;
  let owner: ReturnType<typeof browser>;
  let agentId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    owner = browser(t);
    await owner.call("POST", "/api/v1/auth/setup", OWNER);
    const made = await owner.call("POST", "/api/v1/users", {
      email: "ada@example.com",
      name: "Ada Agent",
      role: "agent",
      password: "agent password 1",
    });
    agentId = made.body.id;
  });
  afterAll(() => t.close());

  test("people change their own password; other sessions end, this one stays", async () => {
    const a1 = browser(t);
    const a2 = browser(t);
    for (const a of [a1, a2])
      expect(
        (
          await a.call("POST", "/api/v1/auth/login", {
            email: "ada@example.com",
            password: "agent password 1",
          })
        ).status,
      ).toBe(200);
    expectProblem(
      await a1.call("POST", "/api/v1/me/password", {
        current_password: "wrong one!!",
        new_password: "agent password 2",
      }),
      422,
      "current_password",
    );
    expectProblem(
      await a1.call("POST", "/api/v1/me/password", {
        current_password: "agent password 1",
        new_password: "short",
      }),
      422,
      "new_password",
    );
    const ok = await a1.call("POST", "/api/v1/me/password", {
      current_password: "agent password 1",
      new_password: "agent password 2",
    });
    expect(ok.status, ok.text).toBe(204);
    expect((await a1.call("GET", "/api/v1/me")).status).toBe(200);
    expectProblem(await a2.call("GET", "/api/v1/me"), 401);
    expectProblem(
      await browser(t).call("POST", "/api/v1/auth/login", {
        email: "ada@example.com",
        password: "agent password 1",
      }),
      401,
    );
    expect(
      (
        await browser(t).call("POST", "/api/v1/auth/login", {
          email: "ada@example.com",
          password: "agent password 2",
        })
      ).status,
    ).toBe(200);
    // API keys are not people.
    expectProblem(
      await t.api("POST", "/api/v1/me/password", { current_password: "x", new_password: "0123456789ab" }),
      422,
    );
  });

  test("admins reset someone's password (ending their sessions); agents can't; nobody but the owner resets the owner's", async () => {
    const agent = browser(t);
    await agent.call("POST", "/api/v1/auth/login", {
      email: "ada@example.com",
      password: "agent password 2",
    });
    const reset = await owner.call("PATCH", `/api/v1/users/${agentId}`, { password: "agent password 3" });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).not.toHaveProperty("password");
    expectProblem(await agent.call("GET", "/api/v1/me"), 401);
    const again = browser(t);
    await again.call("POST", "/api/v1/auth/login", {
      email: "ada@example.com",
      password: "agent password 3",
    });
    const me = await again.call("GET", "/api/v1/me");
    expect(me.status).toBe(200);
    const ownerId = (await owner.call("GET", "/api/v1/me")).body.user.id;
    expect(
      expectProblem(await again.call("PATCH", `/api/v1/users/${ownerId}`, { password: "taken over 1" }), 403)
        .code,
    ).toBe("forbidden");
    // An admin (here: an API key) can't take over the owner either.
    expectProblem(await t.api("PATCH", `/api/v1/users/${ownerId}`, { password: "taken over 1" }), 403);
    expect((await owner.call("GET", "/api/v1/me")).status).toBe(200);
  });

  test("guessing the current password is rate-limited like sign-in; admins use /me/password for their own", async () => {
    await owner.call("POST", "/api/v1/users", {
      email: "bob@example.com",
      name: "Bob",
      role: "agent",
      password: "bob password 1",
    });
    const bob = browser(t);
    await bob.call("POST", "/api/v1/auth/login", { email: "bob@example.com", password: "bob password 1" });
    for (let i = 0; i < 10; i++) {
      expectProblem(
        await bob.call("POST", "/api/v1/me/password", {
          current_password: `guess ${i}`,
          new_password: "bob password 2",
        }),
        422,
        "current_password",
      );
    }
    const limited = await bob.call("POST", "/api/v1/me/password", {
      current_password: "bob password 1",
      new_password: "bob password 2",
    });
    expect(expectProblem(limited, 429).code).toBe("rate_limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);

    const me = (await owner.call("GET", "/api/v1/me")).body.user.id;
    expectProblem(
      await owner.call("PATCH", `/api/v1/users/${me}`, { password: "new owner pass 1" }),
      422,
      "password",
    );
  });

  test("failed sign-ins are counted in the database: a restarted server, and another process, still refuse", async () => {
    const email = "olive@example.com";
    for (let i = 0; i < 10; i++) {
      expectProblem(
        await browser(t).call("POST", "/api/v1/auth/login", { email, password: `guess ${i}` }),
        401,
      );
    }
    expectProblem(
      await browser(t).call("POST", "/api/v1/auth/login", { email, password: OWNER.password }),
      429,
    );
    await t.restart();
    const limited = await browser(t).call("POST", "/api/v1/auth/login", { email, password: OWNER.password });
    expectProblem(limited, 429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(800);

    // A second connection (as another `serve` process has) sees the same failures.
    const second = createDatabase(t.db.url);
    try {
      const other = new LoginLimiter(createStoreContext(second, new SecretBox(TEST_SECRET)));
      expect(await other.retryAfterMs("127.0.0.1", email)).toBeGreaterThan(0);
      expect(await other.retryAfterMs("127.0.0.1", "ada@example.com")).toBe(0);
      expect(await other.retryAfterMs("10.0.0.9", email)).toBe(0);
    } finally {
      await second.close();
    }
  });

  test("a guesser rotating addresses (or forging X-Forwarded-For) is stopped per email", async () => {
    const email = "nobody-yet@example.com";
    for (let i = 0; i < 30; i++) {
      const res = await browser(t).call(
        "POST",
        "/api/v1/auth/login",
        { email, password: `spray ${i}` },
        { "x-forwarded-for": `10.9.${Math.floor(i / 200)}.${i % 200}` },
      );
      expectProblem(res, 401);
    }
    const limited = await browser(t).call(
      "POST",
      "/api/v1/auth/login",
      { email, password: "the right one maybe" },
      { "x-forwarded-for": "10.9.9.9" },
    );
    expectProblem(limited, 429);
  });

  test("the window slides: old failures expire and are swept", async () => {
    let now = 1_000_000_000_000;
    const limiter = new LoginLimiter(
      { ...t.parley.deps.store, now: () => now },
      { windowMs: 60_000, perAccount: 3, perAddress: 100, perEmail: 100 },
    );
    for (let i = 0; i < 3; i++) await limiter.fail("10.1.1.1", "x@y.co");
    expect(await limiter.retryAfterMs("10.1.1.1", "x@y.co")).toBe(60_000);
    now += 30_000;
    expect(await limiter.retryAfterMs("10.1.1.1", "x@y.co")).toBe(30_000);
    now += 30_001;
    expect(await limiter.retryAfterMs("10.1.1.1", "x@y.co")).toBe(0);
    await limiter.fail("10.1.1.2", "x@y.co");
    const left = await t.parley.deps.store.db
      .selectFrom("login_failures")
      .select("key")
      .where("at", "<=", now - 60_000)
      .execute();
    expect(left).toEqual([]);
    await limiter.succeed("10.1.1.2", "x@y.co");
  });
});

describe.each(engines)("guardrail and auto-close settings on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  test("saved and read back; an unknown or archived auto-close category is a 422 naming the field", async () => {
    const settings = {
      frequency_cap: 2,
      quiet_hours: { start: "21:00", end: "08:00" },
      timezone: "Europe/Berlin",
      messaging_limit: 2000,
      auto_close: { after_hours: 48, category: "support", summary: "No reply for two days" },
    };
    const res = await t.api("PATCH", "/api/v1/workspace", { settings });
    expect(res.status, res.text).toBe(200);
    expect((await t.api("GET", "/api/v1/workspace")).body.settings).toMatchObject(settings);
    expectProblem(
      await t.api("PATCH", "/api/v1/workspace", {
        settings: { auto_close: { after_hours: 2, category: "nope" } },
      }),
      422,
      "settings.auto_close.category",
    );
    await t.api("PATCH", "/api/v1/conversation-categories/sales", { archived: true });
    expectProblem(
      await t.api("PATCH", "/api/v1/workspace", {
        settings: { auto_close: { after_hours: 2, category: "sales" } },
      }),
      422,
      "settings.auto_close.category",
    );
    expectProblem(
      await t.api("PATCH", "/api/v1/workspace", {
        settings: { quiet_hours: { start: "25:00", end: "08:00" } },
      }),
      422,
      "quiet_hours",
    );
    const off = await t.api("PATCH", "/api/v1/workspace", {
      settings: { frequency_cap: null, quiet_hours: null, auto_close: null, messaging_limit: null },
    });
    expect(off.body.settings).toMatchObject({
      frequency_cap: null,
      quiet_hours: null,
      auto_close: null,
      messaging_limit: null,
      timezone: "Europe/Berlin",
    });
  });

  test("auto-close must give what the closing notes require, whichever of the two changes", async () => {
    await t.api("PATCH", "/api/v1/workspace", {
      closing_notes: { category: "required", summary: "optional" },
    });
    const bare = await t.api("PATCH", "/api/v1/workspace", {
      settings: { auto_close: { after_hours: 2, summary: "Idle" } },
    });
    expectProblem(bare, 422, "settings.auto_close.category");
    const ok = await t.api("PATCH", "/api/v1/workspace", {
      settings: { auto_close: { after_hours: 2, category: "support" } },
    });
    expect(ok.status, ok.text).toBe(200);
    // Tightening the policy under an auto-close without a summary is refused too, and changes nothing.
    expectProblem(
      await t.api("PATCH", "/api/v1/workspace", { closing_notes: { summary: "required" } }),
      422,
      "settings.auto_close.summary",
    );
    expect((await t.api("GET", "/api/v1/workspace")).body.closing_notes.summary).toBe("optional");
    await t.api("PATCH", "/api/v1/workspace", { settings: { auto_close: null } });
    await t.api("PATCH", "/api/v1/workspace", { closing_notes: { category: "optional" } });
  });
});
