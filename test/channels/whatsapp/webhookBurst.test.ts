import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp } from "../../support/testApp.ts";
import { engines } from "../../support/testDatabase.ts";
import { count, inboundText, postWebhook, type SandboxChannel, sandboxChannel } from "./liveHelpers.ts";

// A burst of concurrent deliveries lands in one group commit and is processed in shared batches: these check
// that batching keeps every per-delivery guarantee.
describe.each(engines)("a burst of webhook deliveries on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());

  test("each delivery is stored once, a malformed one fails alone, a bad signature stores nothing", async () => {
    const db = t.parley.deps.store.db;
    const phones = Array.from({ length: 6 }, (_, i) => `1415555${String(4100 + i)}`);
    const text = (from: string, id: string, body: string) =>
      JSON.stringify(inboundText(ch, { from, id, text: body }));
    // Known contacts with open conversations first, so the burst takes the batched path for most messages.
    for (const [i, p] of phones.slice(0, 4).entries())
      expect((await postWebhook(t, text(p, `wamid.burst.warm.${i}`, "hello"), ch.appSecret)).status).toBe(
        200,
      );
    await t.parley.processor.drain();

    const deliveriesBefore = await count(t, "webhook_deliveries");
    const valid = Array.from({ length: 24 }, (_, i) =>
      text(phones[i % phones.length] ?? "", `wamid.burst.${i}`, `message ${i}`),
    );
    const duplicateBody = valid[3] ?? "";
    // The same message in a different envelope (Meta re-sending it): a second delivery, but still one message.
    const sameMessageOtherBody = duplicateBody.replace('"field":"messages"', '"field": "messages"');
    const malformed = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: ch.wabaId,
          changes: [
            {
              field: "messages",
              value: { metadata: { phone_number_id: ch.phoneNumberId }, messages: "not a list" },
            },
          ],
        },
      ],
    });
    const forged = text(phones[0] ?? "", "wamid.burst.forged", "not from Meta");

    const results = await Promise.all([
      ...valid.map((b) => postWebhook(t, b, ch.appSecret)),
      postWebhook(t, duplicateBody, ch.appSecret),
      postWebhook(t, sameMessageOtherBody, ch.appSecret),
      postWebhook(t, malformed, ch.appSecret),
      postWebhook(t, forged, "not-the-app-secret"),
    ]);
    expect(results.slice(0, -1).map((r) => r.status)).toEqual(Array(valid.length + 3).fill(200));
    expect(results.at(-1)?.status).toBe(401);
    await t.parley.processor.drain();

    // Stored: every distinct body once (the exact duplicate folded), the malformed one included, the forged not.
    expect((await count(t, "webhook_deliveries")) - deliveriesBefore).toBe(valid.length + 2);
    const stored = await db
      .selectFrom("messages")
      .select(["wa_message_id"])
      .where("wa_message_id", "like", "wamid.burst.%")
      .where("wa_message_id", "not like", "wamid.burst.warm.%")
      .execute();
    expect(stored.map((m) => m.wa_message_id).sort()).toEqual(valid.map((_, i) => `wamid.burst.${i}`).sort());
    // One message.created event per stored message (the outbox rows of the batch).
    const events = await db
      .selectFrom("events")
      .select("payload")
      .where("type", "=", "message.created")
      .execute();
    const storedIds = new Set(
      (
        await db
          .selectFrom("messages")
          .select("id")
          .where("wa_message_id", "like", "wamid.burst.%")
          .where("wa_message_id", "not like", "wamid.burst.warm.%")
          .execute()
      ).map((m) => m.id),
    );
    const created = events.filter((e) => storedIds.has(JSON.parse(e.payload).messageId));
    expect(created).toHaveLength(valid.length);

    // The malformed delivery is parked with its error; every other delivery of the burst was processed.
    const rows = await db
      .selectFrom("webhook_deliveries")
      .select(["body", "processed_at", "attempts", "error"])
      .where("id", ">", 0)
      .orderBy("id", "desc")
      .limit(valid.length + 2)
      .execute();
    const bad = rows.filter((r) => r.body === malformed);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.processed_at).toBeNull();
    expect(bad[0]?.attempts).toBeGreaterThan(0);
    expect(bad[0]?.error).toMatch(/unrecognized webhook payload/);
    const good = rows.filter((r) => r.body !== malformed);
    expect(good).toHaveLength(valid.length + 1);
    for (const r of good) {
      expect(r.processed_at).not.toBeNull();
      expect(r.error).toBeNull();
    }
  });
});
