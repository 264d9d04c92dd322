import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp } from "../../support/testApp.ts";
import { engines } from "../../support/testDatabase.ts";
import { inboundText, type SandboxChannel, sandboxChannel } from "./liveHelpers.ts";

describe.each(engines)("webhook backlog on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());

  test("deliveries stored before a restart are processed after it; a bad one fails alone", async () => {
    const store = t.parley.deps.store;
    const body = (i: number) =>
      JSON.stringify(
        inboundText(ch, { from: `1415555${String(2000 + i)}`, id: `wamid.backlog.${i}`, text: `b${i}` }),
      );
    // As if accepted just before a crash: raw bodies on disk, nothing processed yet. One is not a webhook at all.
    const bodies = [
      body(1),
      body(2),
      JSON.stringify({ object: "whatsapp_business_account", entry: "nope" }),
      body(3),
    ];
    await store.db
      .insertInto("webhook_deliveries")
      .values(
        bodies.map((b, i) => ({
          channel_id: ch.id,
          body_hash: `backlog-${i}`,
          body: b,
          received_at: Date.now(),
          processed_at: null,
          attempts: 0,
          error: null,
        })),
      )
      .execute();
    // A new process starts with a cold channel cache and the backlog waiting.
    await t.restart();
    await t.parley.startWorkers();
    const rows = await waitForProcessed(t, 4);
    const bad = rows.find((r) => r.body_hash === "backlog-2");
    expect(bad?.processed_at).toBeNull();
    expect(bad?.attempts).toBeGreaterThan(0);
    expect(bad?.error).toMatch(/unrecognized webhook payload/);
    const stored = await t.parley.deps.store.db
      .selectFrom("messages")
      .select("wa_message_id")
      .where("wa_message_id", "like", "wamid.backlog.%")
      .orderBy("wa_message_id")
      .execute();
    expect(stored.map((m) => m.wa_message_id)).toEqual([
      "wamid.backlog.1",
      "wamid.backlog.2",
      "wamid.backlog.3",
    ]);
  });
});

async function waitForProcessed(t: TestApp, n: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await t.parley.deps.store.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("body_hash", "like", "backlog-%")
      .execute();
    const settled = rows.filter((r) => r.processed_at !== null || r.attempts > 0);
    if (settled.length === n) return rows;
    if (Date.now() > deadline) throw new Error(`only ${settled.length} of ${n} deliveries settled`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
