import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates, chattingContact, runToEnd } from "./engineSupport.ts";

describe.each(engines)("run leases on %s", (engine) => {
  let t: TestApp;
  let server: Server;
  let port = 0;
  let calls = 0;
  beforeAll(async () => {
    // A lease far shorter than the call: only the heartbeat keeps the run from being claimed a second time.
    t = await startTestApp(engine, { workflows: true, workflowOptions: { leaseMs: 600, pollMs: 50 } });
    t.parley.workflows.env.allowPrivateHttp = true;
    server = createServer((_req, res) => {
      calls++;
      setTimeout(() => res.end(JSON.stringify({ ok: true })), 2_000);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await t.close();
  });

  test("a heartbeat keeps a run's lease while it waits on a slow http_request, so the call is made once", async () => {
    const channelId = await channelWithTemplates(t);
    const { contactId } = await chattingContact(t, channelId, "Lena");
    const run = await runToEnd(
      t,
      {
        name: "Slow call",
        steps: [
          { id: "open", type: "open_conversation" },
          {
            id: "call",
            type: "http_request",
            method: "GET",
            url: `http://127.0.0.1:${port}/slow`,
            timeout_ms: 5_000,
            save_as: "api",
          },
          { id: "close", type: "close_conversation", category: "support", summary: "{{ api.body.ok }}" },
        ],
      },
      contactId,
    );
    expect(run.status).toBe("completed");
    expect(calls).toBe(1);
    expect(run.steps.map((s: { id: string }) => s.id)).toEqual(["open", "call", "close"]);
  });
});
