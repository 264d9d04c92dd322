import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp, waitFor } from "../../support/testApp.ts";
import { engines } from "../../support/testDatabase.ts";
import {
  count,
  inboundText,
  postWebhook,
  type SandboxChannel,
  sandboxChannel,
  statusUpdate,
} from "./liveHelpers.ts";
import { readdress, webhookSamples } from "./webhookSamples.ts";

describe.each(engines)("WhatsApp webhooks on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());

  const drain = () => t.parley.processor.drain();

  test("verification handshake echoes the challenge for a known verify token, 403 otherwise", async () => {
    const ok = await fetch(
      `${t.url()}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${ch.verifyToken}&hub.challenge=8675309`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("8675309");
    const bad = await fetch(
      `${t.url()}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    );
    expect(bad.status).toBe(403);
  });

  test("a bad or missing signature is 401 and nothing is stored", async () => {
    const before = await count(t, "webhook_deliveries");
    const payload = inboundText(ch, { from: "14155550100", id: "wamid.sig1", text: "hi" });
    expect((await postWebhook(t, payload, "wrong-secret")).status).toBe(401);
    expect((await postWebhook(t, payload, ch.appSecret, null)).status).toBe(401);
    expect((await postWebhook(t, payload, ch.appSecret, "sha256=deadbeef")).status).toBe(401);
    await drain();
    expect(await count(t, "webhook_deliveries")).toBe(before);
    const msgs = await t.parley.deps.store.db
      .selectFrom("messages")
      .select("id")
      .where("wa_message_id", "=", "wamid.sig1")
      .execute();
    expect(msgs).toHaveLength(0);
  });

  test("a delivery for an unknown number is acknowledged and dropped", async () => {
    const before = await count(t, "webhook_deliveries");
    const payload = inboundText(
      { ...ch, phoneNumberId: "999999999" },
      { from: "14155550100", id: "wamid.unknown", text: "hi" },
    );
    const res = await postWebhook(t, payload, ch.appSecret);
    expect(res.status).toBe(200);
    expect(await count(t, "webhook_deliveries")).toBe(before);
  });

  test("the number is read from the metadata, not from text that spells it; a body that is not JSON is a 400", async () => {
    const before = await count(t, "webhook_deliveries");
    const payload = inboundText(ch, {
      from: "14155550101",
      id: "wamid.route1",
      text: '"phone_number_id":"999999999"',
    });
    // The customer's text comes first in the body, so a careless scan would find it before the metadata.
    const change = payload.entry[0]?.changes[0] as { value: Record<string, unknown> };
    const { metadata, ...rest } = change.value;
    change.value = { ...rest, metadata };
    expect((await postWebhook(t, payload, ch.appSecret)).status).toBe(200);
    await drain();
    const stored = await t.parley.deps.store.db
      .selectFrom("messages")
      .select(["channel_id", "content"])
      .where("wa_message_id", "=", "wamid.route1")
      .execute();
    expect(stored).toEqual([{ channel_id: ch.id, content: expect.stringContaining("999999999") }]);

    const bad = await postWebhook(t, '{"entry": [', ch.appSecret);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).code).toBe("malformed_json");
    expect(await count(t, "webhook_deliveries")).toBe(before + 1);
  });

  test("every shared sample is accepted and processed without error", async () => {
    for (const [file, name, payload] of webhookSamples()) {
      const res = await postWebhook(
        t,
        readdress(payload, ch.phoneNumberId, ch.wabaId, `${file}.${name}`),
        ch.appSecret,
      );
      expect(res.status, `${file}/${name}: ${res.text}`).toBe(200);
    }
    await drain();
    const failed = await t.parley.deps.store.db
      .selectFrom("webhook_deliveries")
      .select(["error"])
      .where("error", "is not", null)
      .execute();
    expect(failed).toEqual([]);
    const inbound = await t.parley.deps.store.db
      .selectFrom("messages")
      .select(["type", "content"])
      .where("direction", "=", "inbound")
      .where("channel_id", "=", ch.id)
      .execute();
    const types = new Set(inbound.map((m) => m.type));
    for (const type of ["text", "image", "interactive", "button", "reaction", "location", "unsupported"])
      expect(types).toContain(type);
  });

  test("the same message delivered twice is stored once", async () => {
    const payload = inboundText(ch, { from: "14155550111", id: "wamid.dup1", text: "twice" });
    await postWebhook(t, payload, ch.appSecret);
    // A retry from Meta can differ in bytes (e.g. another entry time); the message id is what counts.
    await postWebhook(t, { ...payload, entry: [{ ...payload.entry[0], time: 1 }] }, ch.appSecret);
    await drain();
    const rows = await t.parley.deps.store.db
      .selectFrom("messages")
      .select("id")
      .where("wa_message_id", "=", "wamid.dup1")
      .execute();
    expect(rows).toHaveLength(1);
  });

  test("inbound opens a conversation, and reopens the same one after a close", async () => {
    await postWebhook(
      t,
      inboundText(ch, { from: "14155550122", id: "wamid.open1", text: "hello", name: "Ana" }),
      ch.appSecret,
    );
    await drain();
    const contact = (await t.api("GET", "/api/v1/contacts?phone=%2B14155550122")).body.data[0];
    expect(contact).toMatchObject({ name: "Ana", phone: "+14155550122" });
    const conv = (await t.api("GET", `/api/v1/conversations?contact_id=${contact.id}`)).body.data[0];
    expect(conv).toMatchObject({ status: "open", opened_by: { type: "inbound" } });
    expect(Date.parse(conv.window_expires_at)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    await t.api("POST", `/api/v1/conversations/${conv.id}/close`, {
      category: "support",
      summary: "Answered",
    });
    await postWebhook(
      t,
      inboundText(ch, { from: "14155550122", id: "wamid.open2", text: "one more thing" }),
      ch.appSecret,
    );
    await drain();
    const after = (await t.api("GET", `/api/v1/conversations/${conv.id}`)).body;
    expect(after).toMatchObject({ id: conv.id, status: "open", cycle: 2, opened_by: { type: "inbound" } });
    const messages = (await t.api("GET", `/api/v1/conversations/${conv.id}/messages`)).body.data;
    expect(messages.map((m: { content: { text: string } }) => m.content.text)).toEqual([
      "hello",
      "one more thing",
    ]);
    const types = (await t.api("GET", `/api/v1/contacts/${contact.id}/timeline`)).body.data.map(
      (e: { type: string }) => e.type,
    );
    expect(types).toEqual([
      "conversation.opened",
      "message.created",
      "conversation.closed",
      "conversation.reopened",
      "message.created",
    ]);
  });

  test("statuses only move forward, whatever order they arrive in", async () => {
    // Through the simulator, so that its side also knows the customer wrote (and lets a free-form reply through).
    t.parley.sandbox!.simulator.customerSays({
      phoneNumberId: ch.phoneNumberId,
      phone: "+14155550133",
      text: "hi",
    });
    const conv = await waitFor(
      "the conversation",
      async () => (await t.api("GET", "/api/v1/conversations?q=14155550133")).body.data[0],
    );
    const sent = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: "Hello!" });
    expect(sent.status).toBe(201);
    const id = sent.body.id;
    const wamid = await waitFor("the send", async () => {
      const m = (await t.api("GET", `/api/v1/conversations/${conv.id}/messages`)).body.data.find(
        (x: { id: string }) => x.id === id,
      );
      return m?.wa_message_id && m.status !== "sending" ? m.wa_message_id : null;
    });
    await waitFor("the simulator's read receipt", async () => {
      const m = (await t.api("GET", `/api/v1/conversations/${conv.id}/messages`)).body.data.find(
        (x: { id: string }) => x.id === id,
      );
      return m.status === "read";
    });
    for (const status of ["delivered", "sent"])
      await postWebhook(t, statusUpdate(ch, { id: wamid, status, to: "14155550133" }), ch.appSecret);
    const failure = [
      { code: 131000, title: "Something went wrong", error_data: { details: "late failure" } },
    ];
    await postWebhook(
      t,
      statusUpdate(ch, { id: wamid, status: "failed", to: "14155550133", errors: failure }),
      ch.appSecret,
    );
    await drain();
    const m = (await t.api("GET", `/api/v1/conversations/${conv.id}/messages`)).body.data.find(
      (x: { id: string }) => x.id === id,
    );
    expect(m.status).toBe("read");
    expect(m.error).toEqual({ code: "131000", detail: "late failure" });
  });

  test("STOP opts out with one confirmation, START opts back in", async () => {
    const from = "14155550144";
    await postWebhook(t, inboundText(ch, { from, id: "wamid.stop1", text: "  stop " }), ch.appSecret);
    await drain();
    await postWebhook(t, inboundText(ch, { from, id: "wamid.stop2", text: "STOP" }), ch.appSecret);
    await drain();
    const contact = (await t.api("GET", `/api/v1/contacts?phone=%2B${from}`)).body.data[0];
    expect(contact.opted_out).toBe(true);
    const conv = (await t.api("GET", `/api/v1/conversations?contact_id=${contact.id}`)).body.data[0];
    const outbound = (await t.api("GET", `/api/v1/conversations/${conv.id}/messages`)).body.data.filter(
      (m: { direction: string }) => m.direction === "outbound",
    );
    expect(outbound).toHaveLength(1);
    expect(outbound[0].content.text).toMatch(/unsubscribed/);
    await postWebhook(t, inboundText(ch, { from, id: "wamid.start1", text: "Start" }), ch.appSecret);
    await drain();
    expect((await t.api("GET", `/api/v1/contacts/${contact.id}`)).body.opted_out).toBe(false);
  });

  test("opt-out keywords are configurable per workspace", async () => {
    await t.api("PATCH", "/api/v1/workspace", { settings: { opt_out_keywords: ["BASTA"] } });
    const from = "14155550155";
    await postWebhook(t, inboundText(ch, { from, id: "wamid.basta", text: "basta" }), ch.appSecret);
    await drain();
    expect((await t.api("GET", `/api/v1/contacts?phone=%2B${from}`)).body.data[0].opted_out).toBe(true);
    await t.api("PATCH", "/api/v1/workspace", { settings: { opt_out_keywords: ["STOP", "UNSUBSCRIBE"] } });
  });

  test("user_preferences stop/resume sets marketing_opt_out; template status updates the registry", async () => {
    const from = "14155550166";
    await postWebhook(t, inboundText(ch, { from, id: "wamid.mk1", text: "hi" }), ch.appSecret);
    await drain();
    t.parley.sandbox!.simulator.setMarketingPreference({
      phoneNumberId: ch.phoneNumberId,
      phone: from,
      value: "stop",
    });
    await waitFor(
      "marketing opt-out",
      async () => (await t.api("GET", `/api/v1/contacts?phone=%2B${from}`)).body.data[0].marketing_opt_out,
    );
    t.parley.sandbox!.simulator.upsertTemplate({
      wabaId: ch.wabaId,
      name: "we_miss_you",
      language: "en",
      category: "MARKETING",
      status: "PAUSED",
      components: [],
    });
    await waitFor("template status", async () => {
      const list = (await t.api("GET", `/api/v1/channels/${ch.id}/templates`)).body.data;
      return list.find((x: { name: string }) => x.name === "we_miss_you")?.status === "PAUSED";
    });
  });
});
