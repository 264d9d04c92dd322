import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChannel, createContact, openConversation } from "../support/conversationHelpers.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const TOKEN = "metrics-token-for-tests-0001";

describe.each(engines)("GET /metrics on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { env: { PARLEY_METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => t.close());

  const scrape = () =>
    t.parley.server.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${TOKEN}` } });
  const value = (text: string, series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  test("needs the configured token", async () => {
    expectProblem(await t.api("GET", "/metrics", undefined, { key: null }), 401);
    expectProblem(await t.api("GET", "/metrics", undefined, { key: "wrong-token-wrong-token" }), 401);
  });

  test("reports request latency by route pattern and the database backlogs", async () => {
    const before = value((await scrape()).body, "parley_conversations_open") ?? -1;
    const channelId = await createChannel(t);
    const contactId = await createContact(t);
    const conv = (await openConversation(t, { contact_id: contactId, channel_id: channelId })).conversation;
    await t.api("GET", `/api/v1/conversations/${conv.id}`);
    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(value(res.body, "parley_conversations_open")).toBe(before + 1);
    expect(value(res.body, "parley_webhook_deliveries_pending")).toBeGreaterThanOrEqual(0);
    expect(value(res.body, "parley_webhook_spool_backlog")).toBe(0);
    expect(value(res.body, 'parley_workflow_runs_active{status="waiting"}')).toBe(0);
    expect(value(res.body, "parley_channels_unhealthy")).toBe(0);
    expect(res.body).toContain(
      'parley_http_request_duration_seconds_count{method="GET",route="/api/v1/conversations/:id",status="200"} 1',
    );
    expect(res.body).not.toContain(conv.id);
    expect(res.body).toContain("parley_process_cpu_seconds_total");
  });
});
