import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { guardedHttpCall, PrivateAddressError, TimeoutError } from "../../src/engine/guardedHttpCall.ts";

describe("guardedHttpCall", () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000);
      if (req.url === "/big") return void res.end("x".repeat(5_000));
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => res.end(JSON.stringify({ method: req.method, body })));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const call = (
    path: string,
    allowPrivate: boolean,
    extra: Partial<Parameters<typeof guardedHttpCall>[1]> = {},
  ) =>
    guardedHttpCall(new URL(`http://localhost:${port}${path}`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
      timeoutMs: 1_000,
      allowPrivate,
      maxBytes: 1_000,
      ...extra,
    });

  test("a name is checked when the connection is made: localhost is refused unless private networks are allowed", async () => {
    await expect(call("/", false)).rejects.toBeInstanceOf(PrivateAddressError);
    const ok = await call("/", true);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ method: "POST", body: '{"a":1}' });
  });

  test("the body is capped and a slow answer times out", async () => {
    expect((await call("/big", true, { method: "GET", body: undefined })).text.length).toBe(1_000);
    await expect(
      call("/slow", true, { method: "GET", body: undefined, timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(TimeoutError);
  });
});
