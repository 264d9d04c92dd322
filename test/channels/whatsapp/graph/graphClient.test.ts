import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createGraphClient } from "../../../../src/channels/whatsapp/graph/graphClient.ts";
import { toGraphMessage } from "../../../../src/channels/whatsapp/graph/toGraphMessage.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[];
const hung: ServerResponse[] = [];

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function portOf(s: Server): number {
  const a = s.address();
  if (!a || typeof a === "string") throw new Error("server is not listening on TCP");
  return a.port;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const s = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      };
      seen.push(s);
      handler(req, res, s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${portOf(server)}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
});
afterEach(() => {
  // Requests left hanging by the timeout tests must not outlive their test. Closing every connection instead
  // would also kill the client's idle keep-alive sockets and make the next test fail with "other side closed".
  for (const res of hung.splice(0)) res.destroy();
});

const client = (timeoutMs = 2000) =>
  createGraphClient({ baseUrl: `${baseUrl}/`, version: "v23.0", accessToken: "EAAG-token", timeoutMs });
const body = toGraphMessage("+14155550123", { text: "Hi" });

describe("sendMessage", () => {
  test("parses Meta's success response and sends the token and JSON", async () => {
    handler = (_req, res) =>
      json(res, 200, {
        messaging_product: "whatsapp",
        contacts: [{ input: "+14155550123", wa_id: "14155550123" }],
        messages: [{ id: "wamid.OK", message_status: "accepted" }],
      });
    const r = await client().sendMessage("1065", body);
    expect(r).toEqual({ ok: true, waMessageId: "wamid.OK", waId: "14155550123", messageStatus: "accepted" });
    expect(seen[0]).toMatchObject({ method: "POST", url: "/v23.0/1065/messages", body });
    expect(seen[0]!.headers.authorization).toBe("Bearer EAAG-token");
    expect(seen[0]!.headers["content-type"]).toBe("application/json");
  });

  test("parses Meta's error envelope", async () => {
    handler = (_req, res) =>
      json(res, 400, {
        error: {
          message: "(#131047) Re-engagement message",
          type: "OAuthException",
          code: 131047,
          error_subcode: 2494010,
          error_data: { messaging_product: "whatsapp", details: "More than 24 hours have passed" },
          fbtrace_id: "Az8or",
          is_transient: false,
        },
      });
    const r = await client().sendMessage("1065", body);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: "api",
        httpStatus: 400,
        code: 131047,
        subcode: 2494010,
        message: "(#131047) Re-engagement message",
        details: "More than 24 hours have passed",
        fbtraceId: "Az8or",
        isTransient: false,
        retryAfterMs: undefined,
      },
    });
  });

  test("a 500 without an envelope is an http error", async () => {
    handler = (_req, res) => {
      res.writeHead(500, { "content-type": "text/html" });
      res.end("<h1>oops</h1>");
    };
    const r = await client().sendMessage("1065", body);
    expect(r).toEqual({ ok: false, error: { kind: "http", httpStatus: 500, message: "HTTP 500" } });
  });

  test("reads Retry-After in seconds and as a date", async () => {
    handler = (_req, res) =>
      json(
        res,
        429,
        { error: { message: "(#130429) Rate limit hit", code: 130429 } },
        { "retry-after": "7" },
      );
    const r = await client().sendMessage("1065", body);
    expect(!r.ok && r.error).toMatchObject({
      kind: "api",
      code: 130429,
      httpStatus: 429,
      retryAfterMs: 7000,
    });

    handler = (_req, res) =>
      json(res, 503, { nope: true }, { "retry-after": new Date(Date.now() + 60_000).toUTCString() });
    const d = await client().sendMessage("1065", body);
    const after = !d.ok ? d.error.retryAfterMs : undefined;
    expect(after).toBeGreaterThan(55_000);
    expect(after).toBeLessThanOrEqual(60_000);
  });

  test("no answer before the deadline is a timeout", async () => {
    handler = (_req, res) => hung.push(res); // never answers
    const r = await client(150).sendMessage("1065", body);
    expect(r).toMatchObject({ ok: false, error: { kind: "timeout" } });
  });

  test("a body that stalls after the headers is a timeout too", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"messages":');
      hung.push(res);
    };
    const r = await client(150).sendMessage("1065", body);
    expect(r).toMatchObject({ ok: false, error: { kind: "timeout" } });
  });

  test("a refused connection is a network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const c = createGraphClient({
      baseUrl: `http://127.0.0.1:${port}`,
      version: "v23.0",
      accessToken: "t",
      timeoutMs: 2000,
    });
    const r = await c.sendMessage("1065", body);
    expect(r).toMatchObject({ ok: false, error: { kind: "network" } });
    expect(!r.ok && r.error.message).toMatch(/ECONNREFUSED/);
  });

  test("a 200 with an unexpected body is not taken as sent", async () => {
    handler = (_req, res) => json(res, 200, { messages: [] });
    const r = await client().sendMessage("1065", body);
    expect(r).toMatchObject({ ok: false, error: { kind: "http", httpStatus: 200 } });
  });
});

describe("markRead", () => {
  test("posts the read receipt", async () => {
    handler = (_req, res) => json(res, 200, { success: true });
    expect(await client().markRead("1065", "wamid.IN")).toEqual({ ok: true });
    expect(seen[0]!.body).toEqual({ messaging_product: "whatsapp", status: "read", message_id: "wamid.IN" });
  });
});

describe("listTemplates", () => {
  const tpl = (name: string) => ({
    id: `id-${name}`,
    name,
    language: "en_US",
    category: "UTILITY",
    status: "APPROVED",
    components: [{ type: "BODY", text: "Hi {{1}}" }],
  });

  test("follows paging.next, absolute or relative, until the last page", async () => {
    handler = (req, res) => {
      const after = new URL(req.url ?? "/", baseUrl).searchParams.get("after");
      if (!after)
        return json(res, 200, {
          data: [tpl("a"), tpl("b")],
          paging: { next: `${baseUrl}/v23.0/42/message_templates?after=P2` },
        });
      if (after === "P2") return json(res, 200, { data: [tpl("c")], paging: { next: "?after=P3" } });
      return json(res, 200, { data: [tpl("d")], paging: { cursors: { before: "x", after: "y" } } });
    };
    const r = await client().listTemplates("42");
    expect(r.ok && r.templates.map((t) => t.name)).toEqual(["a", "b", "c", "d"]);
    expect(r.ok && r.templates[0]).toEqual(tpl("a"));
    expect(seen.map((s) => s.url)).toEqual([
      "/v23.0/42/message_templates?fields=id%2Cname%2Clanguage%2Ccategory%2Cstatus%2Ccomponents&limit=100",
      "/v23.0/42/message_templates?after=P2",
      "/v23.0/42/message_templates?after=P3",
    ]);
    expect(seen.every((s) => s.method === "GET" && s.headers.authorization === "Bearer EAAG-token")).toBe(
      true,
    );
  });

  test("does not send the token to another host", async () => {
    handler = (_req, res) =>
      json(res, 200, { data: [tpl("a")], paging: { next: "https://elsewhere.example/p2" } });
    const r = await client().listTemplates("42");
    expect(r).toMatchObject({ ok: false, error: { kind: "http" } });
    expect(seen).toHaveLength(1);
  });

  test("an error on a later page is returned", async () => {
    handler = (req, res) =>
      req.url?.includes("after=")
        ? json(res, 401, { error: { message: "(#190) Invalid OAuth access token", code: 190 } })
        : json(res, 200, { data: [tpl("a")], paging: { next: "?after=P2" } });
    const r = await client().listTemplates("42");
    expect(r).toMatchObject({ ok: false, error: { kind: "api", code: 190, httpStatus: 401 } });
  });
});
