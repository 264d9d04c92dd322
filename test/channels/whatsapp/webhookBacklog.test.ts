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

describe.each(engines)("webhook batches on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());

  test("one batch mixing known, new, closed, duplicate, out-of-order and STOP messages keeps every rule", async () => {
    const store = t.parley.deps.store;
    const A = "+14155553001";
    const B = "+14155553002";
    const C = "+14155553003";
    const openA = await t.api("POST", "/api/v1/conversations/open", { phone: A, channel_id: ch.id });
    const openB = await t.api("POST", "/api/v1/conversations/open", { phone: B, channel_id: ch.id });
    await t.api("PATCH", `/api/v1/contacts/${openA.body.conversation.contact_id}`, { name: "Ana" });
    await t.api("POST", `/api/v1/conversations/${openB.body.conversation.id}/close`, {
      category: "support",
      summary: "done",
    });
    const base = Date.now() - 60_000;
    const msg = (from: string, id: string, text: string, at: number) =>
      JSON.stringify(inboundText(ch, { from: from.slice(1), id, text, at }));
    const bodies = [
      msg(A, "wamid.batch.a1", "first", base + 3000),
      msg(A, "wamid.batch.a2", "older one arriving late", base + 1000),
      msg(B, "wamid.batch.b1", "back again", base + 2000),
      msg(A, "wamid.batch.a1", "first", base + 3000)
        .replace('"entry"', '"entry" ')
        .replace("first", "first"),
      msg(C, "wamid.batch.c1", "new here", base + 2500),
      msg(B, "wamid.batch.b2", "still me", base + 2600),
      msg(A, "wamid.batch.a3", "STOP", base + 4000),
      msg(A, "wamid.batch.a4", "after stop", base + 5000),
    ];
    await t.parley.processor.stop();
    await store.db
      .insertInto("webhook_deliveries")
      .values(
        bodies.map((b, i) => ({
          channel_id: ch.id,
          body_hash: `batch-${engine}-${i}`,
          body: b,
          received_at: Date.now(),
          processed_at: null,
          attempts: 0,
          error: null,
        })),
      )
      .execute();
    await t.restart();
    await t.parley.startWorkers();
    await t.parley.processor.drain();

    const db = t.parley.deps.store.db;
    const messages = await db
      .selectFrom("messages")
      .select(["wa_message_id", "conversation_id", "direction"])
      .where("wa_message_id", "like", "wamid.batch.%")
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    expect(messages.map((m) => m.wa_message_id)).toEqual([
      "wamid.batch.a1",
      "wamid.batch.a2",
      "wamid.batch.b1",
      "wamid.batch.c1",
      "wamid.batch.b2",
      "wamid.batch.a3",
      "wamid.batch.a4",
    ]);
    // A's messages all land in A's open conversation; B's closed one is reopened (same id) for both of B's.
    const convA = openA.body.conversation.id;
    const convB = openB.body.conversation.id;
    expect(
      messages
        .filter((m) => m.wa_message_id?.startsWith("wamid.batch.a"))
        .every((m) => m.conversation_id === convA),
    ).toBe(true);
    expect(
      messages
        .filter((m) => m.wa_message_id?.startsWith("wamid.batch.b"))
        .every((m) => m.conversation_id === convB),
    ).toBe(true);
    const b = (await t.api("GET", `/api/v1/conversations/${convB}`)).body;
    expect(b).toMatchObject({ status: "open", cycle: 2 });
    // The window runs from the newest message, not the last one processed.
    const a = (await t.api("GET", `/api/v1/conversations/${convA}`)).body;
    expect(Date.parse(a.last_inbound_at)).toBe(Math.floor((base + 5000) / 1000) * 1000);
    // STOP opted A out with one confirmation; C became a contact with its own conversation.
    const contactA = (await t.api("GET", `/api/v1/contacts/${openA.body.conversation.contact_id}`)).body;
    expect(contactA.opted_out).toBe(true);
    const confirmations = await db
      .selectFrom("messages")
      .select("id")
      .where("conversation_id", "=", convA)
      .where("direction", "=", "outbound")
      .execute();
    expect(confirmations).toHaveLength(1);
    const c = (await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent(C)}`)).body.data[0];
    expect(c).toMatchObject({ phone: C });
    // The timeline shows A's messages in the order they were processed, each once.
    const timeline = (await t.api("GET", `/api/v1/contacts/${contactA.id}/timeline`)).body.data;
    const inbound = timeline
      .filter((e: any) => e.type === "message.created" && e.direction === "inbound")
      .map((e: any) => e.preview);
    expect(inbound).toEqual(["first", "older one arriving late", "STOP", "after stop"]);
  });
});
