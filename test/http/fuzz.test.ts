import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

const FIELD_NAMES = [
  "phone",
  "name",
  "fields",
  "tags",
  "timezone",
  "opted_out",
  "marketing_opt_out",
  "contact_id",
  "channel_id",
  "assignee",
  "type",
  "agent_id",
  "category",
  "summary",
  "text",
  "template",
  "interactive",
  "image",
  "document",
  "brand_name",
  "closing_notes",
  "settings",
  "key",
  "description",
  "archived",
  "position",
  "access_token",
  "phone_number_id",
  "waba_id",
  "__proto__",
  "constructor",
  "",
  "a.b",
  "x".repeat(300),
] as const;

const STRINGS = [
  "",
  " ",
  "+14155550123",
  "14155550123",
  "sales",
  "Support",
  "bot",
  "agent",
  "none",
  "required",
  "optional",
  "null",
  "true",
  "0",
  "-1",
  "1e309",
  "NaN",
  "💬🔥",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\u202e",
  "<script>",
  "'; drop table contacts; --",
  "%00",
  "%",
  "_",
  "\\",
  "../../etc/passwd",
  "x".repeat(5000),
  "é".repeat(3000),
  "America/New_York",
  "Mars/Base",
  "https://example.com/a.png",
  "javascript:alert(1)",
] as const;

function randomValue(r: ReturnType<typeof prng>, depth = 0): unknown {
  switch (r.int(depth > 2 ? 4 : 7)) {
    case 0:
      return r.pick(STRINGS);
    case 1:
      return r.pick([0, -1, 1, 1.5, 2 ** 53, -(2 ** 63), 1e308, 4097, 2001, 10_001]);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return Array.from({ length: r.int(4) }, () => r.pick(STRINGS));
    case 4:
    case 5:
      return randomObject(r, depth + 1);
    default:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  }
}

function randomObject(r: ReturnType<typeof prng>, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--) o[r.pick(FIELD_NAMES)] = randomValue(r, depth);
  return o;
}

function randomBody(r: ReturnType<typeof prng>): { payload: string; contentType: string } {
  const contentType = r.next() < 0.9 ? "application/json" : r.pick(["text/plain", "application/xml", "x/y"]);
  switch (r.int(5)) {
    case 0:
      return { payload: JSON.stringify(randomValue(r)), contentType };
    case 1: {
      // Valid JSON, cut short or with a byte flipped.
      const s = JSON.stringify(randomObject(r));
      const at = r.int(s.length + 1);
      return {
        payload:
          r.next() < 0.5
            ? s.slice(0, at)
            : `${s.slice(0, at)}${r.pick(["}", "\u0000", "'", ","])}${s.slice(at)}`,
        contentType,
      };
    }
    case 2:
      return {
        payload: Array.from({ length: r.int(200) }, () => String.fromCharCode(r.int(0x3000))).join(""),
        contentType,
      };
    default:
      return { payload: JSON.stringify(randomObject(r)), contentType };
  }
}

function randomQuery(r: ReturnType<typeof prng>): string {
  const keys = [
    "limit",
    "cursor",
    "status",
    "category",
    "assignee",
    "channel_id",
    "contact_id",
    "q",
    "phone",
    "tag",
    "include_archived",
    "from",
    "to",
    "last_event_id",
    "x",
    "limit[]",
    "__proto__",
  ];
  const values = [
    "",
    "1",
    "0",
    "-5",
    "abc",
    "open",
    "closed",
    "bot",
    "agent:",
    "agent:a1",
    "true",
    "%00",
    "%FF",
    "%E0%A4%A",
    "eyJ4IjoxfQ",
    "2025-01-01T00:00:00Z",
    "x".repeat(600),
    "%2B14155550123",
    "1e400",
  ];
  const n = r.int(4);
  if (n === 0) return "";
  return `?${Array.from({ length: n }, () => `${r.pick(keys)}=${r.pick(values)}`).join("&")}`;
}

describe.each(engines)("fuzzing every route on %s", (engine) => {
  let t: TestApp;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const channel = await createChannel(t);
    const contact = await createContact(t);
    const conversation = (await openConversation(t, { contact_id: contact, channel_id: channel }))
      .conversation.id;
    ids = { channel, contact, conversation };
  });
  afterAll(() => t.close());

  const routes = (r: ReturnType<typeof prng>) => {
    const id = (kind: string) =>
      r.next() < 0.6
        ? ids[kind]!
        : r.pick(["x", "%00", "0", "%E0%A4%A", "a".repeat(150), "..", "%20", ids.contact!]);
    // GET /api/v1/events is left out: with a valid query it streams forever (covered in events.test.ts).
    return [
      ["GET", "/api/v1/workspace"],
      ["PATCH", "/api/v1/workspace"],
      ["GET", "/api/v1/conversation-categories"],
      ["POST", "/api/v1/conversation-categories"],
      ["PATCH", `/api/v1/conversation-categories/${r.pick(["sales", "support", "nope", "%00", "Sales"])}`],
      ["POST", "/api/v1/channels"],
      ["GET", "/api/v1/channels"],
      ["GET", `/api/v1/channels/${id("channel")}`],
      ["POST", "/api/v1/contacts"],
      ["GET", "/api/v1/contacts"],
      ["GET", `/api/v1/contacts/${id("contact")}`],
      ["PATCH", `/api/v1/contacts/${id("contact")}`],
      ["GET", `/api/v1/contacts/${id("contact")}/timeline`],
      ["GET", `/api/v1/contacts/${id("contact")}/closings`],
      ["POST", "/api/v1/conversations/open"],
      ["GET", "/api/v1/conversations"],
      ["GET", "/api/v1/conversations/counts"],
      ["GET", `/api/v1/conversations/${id("conversation")}`],
      ["GET", `/api/v1/conversations/${id("conversation")}/messages`],
      ["POST", `/api/v1/conversations/${id("conversation")}/messages`],
      ["POST", `/api/v1/conversations/${id("conversation")}/assign`],
      ["POST", `/api/v1/conversations/${id("conversation")}/close`],
      ["GET", `/api/v1/conversations/${id("conversation")}/closings`],
      ["GET", "/api/v1/reports/closes-by-category"],
    ] as const;
  };

  test("hundreds of random bodies and query strings: never a 5xx, every 4xx a problem", async () => {
    const r = prng(engine === "sqlite" ? 20_251 : 90_210);
    const failures: string[] = [];
    let requests = 0;
    let fourxx = 0;
    for (let round = 0; round < 16; round++) {
      for (const [method, path] of routes(r)) {
        const body = method === "GET" ? undefined : randomBody(r);
        const url = `${path}${randomQuery(r)}`;
        const res = await t.parley.server.inject({
          method,
          url,
          headers: {
            authorization: `Bearer ${t.apiKey}`,
            ...(body ? { "content-type": body.contentType } : {}),
          },
          ...(body ? { payload: body.payload } : {}),
        });
        requests++;
        const what = `${method} ${url.slice(0, 120)} ${body?.payload.slice(0, 120) ?? ""} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (res.statusCode >= 500) failures.push(what);
        else if (res.statusCode >= 400) {
          fourxx++;
          let p: { status?: unknown; title?: unknown; detail?: unknown } = {};
          try {
            p = JSON.parse(res.body);
          } catch {
            // reported below
          }
          if (
            !String(res.headers["content-type"]).includes("application/problem+json") ||
            p.status !== res.statusCode ||
            typeof p.title !== "string" ||
            typeof p.detail !== "string"
          ) {
            failures.push(`not a problem: ${what}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThanOrEqual(350);
    // The garbage mostly fails validation, as it should.
    expect(fourxx).toBeGreaterThan(requests / 2);
    // And the app is still healthy afterwards.
    const after = await t.api("GET", `/api/v1/conversations/${ids.conversation}`);
    expect(after.status).toBe(200);
  });
});
