import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";

// The public hook reads its body itself (the signature covers the exact bytes): its answers to bad bodies match
// the API's own.
describe("a workflow's public hook and the bodies it gets", () => {
  let t: TestApp;
  let path: string;
  const secret = "hook-secret-long-enough";
  beforeAll(async () => {
    t = await startTestApp("sqlite");
    const created = await t.api("POST", "/api/v1/workflows", {
      name: "Hooked",
      trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" }, secret },
      steps: [{ id: "note", type: "add_comment", text: "hooked" }],
    });
    path = new URL(created.body.hook_url).pathname;
  });
  afterAll(() => t.close());

  const post = (body: string | Buffer, sig?: string) => {
    const raw = typeof body === "string" ? Buffer.from(body) : body;
    return t.api("POST", path, raw, {
      key: null,
      headers: {
        "content-type": "application/json",
        "x-parley-signature": sig ?? `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`,
      },
    });
  };

  test("malformed and empty bodies are 400s like the API's; a non-object is a 422", async () => {
    const bad = expectProblem(await post('{"phone": '), 400);
    expect(bad.code).toBe("malformed_json");
    expect(bad.detail).toMatch(/^The body is not valid JSON: /);
    expect(expectProblem(await post(""), 400).detail).toBe("The body is empty; send a JSON object");
    expectProblem(await post("[1, 2]"), 422, "body");
  });

  test("a UTF-8 byte-order mark is allowed, and the signature covers it", async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"phone":"+14155550190"}')]);
    const res = await post(withBom);
    expect(res.status, res.text).toBe(202);
    expect(res.body.created).toBe(true);
  });

  test("the signature's hex digits may be upper-case", async () => {
    const body = '{"phone":"+14155550191"}';
    const hex = createHmac("sha256", secret).update(body).digest("hex").toUpperCase();
    expect((await post(body, `sha256=${hex}`)).status).toBe(202);
    expectProblem(await post(body, `sha256=${"0".repeat(64)}`), 401);
  });
});
