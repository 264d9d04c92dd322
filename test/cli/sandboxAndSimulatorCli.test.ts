import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN, cleanEnv, ROOT, runCli } from "../support/runCli.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";

describe("parley sandbox", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { live: true });
  });
  afterAll(() => t.close());

  test("say writes to the business as the customer; chat shows the phone's side", async () => {
    const said = await runCli(
      ["sandbox", "say", "+14155550777", "hi from the terminal", "--url", t.url(), "--name", "Ana"],
      {
        PARLEY_API_KEY: t.apiKey,
      },
    );
    expect(said.stderr).toBe("");
    expect(said.code).toBe(0);
    expect(JSON.parse(said.stdout).phone).toBe("+14155550777");
    const conversation = await waitFor("the conversation", async () => {
      const list = await t.api("GET", "/api/v1/conversations?status=open");
      return list.body.data.find(
        (c: any) => c.contact?.phone === "+14155550777" || c.contact_phone === "+14155550777",
      );
    });
    const messages = await t.api("GET", `/api/v1/conversations/${conversation.id}/messages`);
    expect(messages.body.data.map((m: any) => m.content?.text)).toContain("hi from the terminal");

    const chat = await runCli(["sandbox", "chat", "+14155550777", "--url", t.url(), "--key", t.apiKey], {});
    expect(chat.code).toBe(0);
    expect(chat.stdout).toMatch(/customer\s+hi from the terminal/);

    // Buttons are listed under their message with the ids `sandbox tap` takes.
    const sent = await t.api("POST", `/api/v1/conversations/${conversation.id}/messages`, {
      interactive: {
        type: "button",
        body: "Track it?",
        buttons: [
          { id: "track", title: "Yes please" },
          { id: "No", title: "No" },
        ],
      },
    });
    expect(sent.status, sent.text).toBe(201);
    const withButtons = await waitFor("the buttons on the phone", async () => {
      const c = await runCli(["sandbox", "chat", "+14155550777", "--url", t.url(), "--key", t.apiKey], {});
      return c.stdout.includes("Track it?") ? c.stdout : undefined;
    });
    expect(withButtons).toMatch(/business\s+Track it\?.*\n\s+tap: track \(Yes please\) \| No\n/);
    const tapped = await runCli(
      ["sandbox", "tap", "+14155550777", "track", "--url", t.url(), "--key", t.apiKey],
      {},
    );
    expect(tapped.code, tapped.stderr).toBe(0);
  });

  test("without a key, or with a wrong one, it says what is wrong", async () => {
    const noKey = await runCli(["sandbox", "say", "+14155550777", "hi", "--url", t.url()], {});
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/API key is needed/);
    const badKey = await runCli(
      ["sandbox", "say", "+14155550777", "hi", "--url", t.url(), "--key", "nope"],
      {},
    );
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/401/);
  });
});

describe("parley simulator", () => {
  test("serves the Graph API and its admin API as its own process", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
      });
    });
    const child = spawn(process.execPath, [BIN, "simulator", "--port", String(port)], {
      cwd: ROOT,
      env: cleanEnv({}),
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(
        "the simulator",
        async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok || undefined,
        15_000,
      );
      const unknown = await fetch(`${base}/v23.0/123/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer x" },
        body: JSON.stringify({
          messaging_product: "whatsapp",
          to: "14155550123",
          type: "text",
          text: { body: "hi" },
        }),
      });
      const body = (await unknown.json()) as { error: { code: number } };
      expect(unknown.status).toBeGreaterThanOrEqual(400);
      expect(body.error.code).toEqual(expect.any(Number));
      const stats = await (await fetch(`${base}/_sim/stats`)).json();
      expect(stats).toEqual({ numbers: [], errors: { [String(body.error.code)]: 1 } });
      // A newcomer's first run should print no warnings (Fastify deprecations included).
      expect(stderr).not.toMatch(/Deprecation|Warning/);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
