import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SendResultRecorder } from "../../../src/channels/whatsapp/delivery/SendResultRecorder.ts";
import type { MessageRow } from "../../../src/store/databaseSchema.ts";
import { startTestApp, type TestApp } from "../../support/testApp.ts";
import { engines } from "../../support/testDatabase.ts";
import { type SandboxChannel, sandboxChannel } from "./liveHelpers.ts";

describe.each(engines)("send results recorded in batches on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
    // The test plays the worker: nothing else may send or record.
    await t.parley.delivery.stop();
  });
  afterAll(() => t.close());

  test("results arriving together commit together; a result that can't be written doesn't hold back the rest", async () => {
    const store = t.parley.deps.store;
    const open = await t.api("POST", "/api/v1/conversations/open", {
      phone: "+14155554200",
      channel_id: ch.id,
    });
    const conv = open.body.conversation;
    const now = Date.now();
    await store.db
      .insertInto("messages")
      .values(
        Array.from({ length: 5 }, (_, i) => ({
          id: `rec-${engine}-${i}`,
          workspace_id: t.workspaceId,
          conversation_id: conv.id,
          contact_id: conv.contact_id,
          channel_id: ch.id,
          direction: "outbound" as const,
          type: "text",
          content: JSON.stringify({ text: `hello ${i}` }),
          author_type: "agent",
          author_id: null,
          wa_message_id: null,
          // As claimed by the worker: `sending`, one attempt made.
          status: "sending" as const,
          error_code: null,
          error_detail: null,
          attempts: 1,
          next_attempt_at: now,
          idempotency_key: null,
          created_at: now + i,
          updated_at: now,
          sent_at: null,
          delivered_at: null,
          read_at: null,
          failed_at: null,
          lease_until: now + 60_000,
          send_started_at: now,
        })),
      )
      .execute();
    const rows = await store.db
      .selectFrom("messages")
      .selectAll()
      .where("conversation_id", "=", conv.id)
      .where("direction", "=", "outbound")
      .orderBy("created_at")
      .execute();
    expect(rows).toHaveLength(5);
    const recorder = new SendResultRecorder(store, pino({ level: "silent" }));
    const [first, second, third, ...rest] = rows as [MessageRow, MessageRow, MessageRow, ...MessageRow[]];
    // A row whose failure event can't be written (no workspace): it fails its batch, the others still land.
    const broken = { ...third, workspace_id: null } as unknown as MessageRow;
    await Promise.all([
      recorder.record(first, { ok: true, waMessageId: "wamid.rec.1" }),
      recorder.record(second, { ok: false, permanent: true, code: "131026", detail: "not on WhatsApp" }),
      recorder.record(broken, { ok: false, permanent: true, code: "131026", detail: "not on WhatsApp" }),
      ...rest.map((m, i) => recorder.record(m, { ok: true, waMessageId: `wamid.rec.rest.${i}` })),
    ]);
    const after = new Map(
      (
        await store.db
          .selectFrom("messages")
          .select(["id", "status", "wa_message_id", "error_code"])
          .where("conversation_id", "=", conv.id)
          .where("direction", "=", "outbound")
          .execute()
      ).map((m) => [m.id, m]),
    );
    expect(after.get(first.id)).toMatchObject({ status: "sent", wa_message_id: "wamid.rec.1" });
    expect(after.get(second.id)).toMatchObject({ status: "failed", error_code: "131026" });
    // Not recorded: it stays `sending`, to be failed as send_interrupted at the next start (never resent).
    expect(after.get(third.id)?.status).toBe("sending");
    for (const m of rest) expect(after.get(m.id)?.status).toBe("sent");
    const events = await store.db
      .selectFrom("events")
      .select("payload")
      .where("type", "=", "message.status_changed")
      .where("conversation_id", "=", conv.id)
      .execute();
    const changed = events.map((e) => JSON.parse(e.payload) as { messageId: string; status: string });
    expect(changed.filter((e) => e.messageId === first.id).map((e) => e.status)).toEqual(["sent"]);
    expect(changed.filter((e) => e.messageId === second.id).map((e) => e.status)).toEqual(["failed"]);
    expect(changed.filter((e) => e.messageId === third.id)).toEqual([]);
  });
});
