import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { channelStore } from "../../../src/store/channelStore.ts";
import { startTestApp, type TestApp, waitFor } from "../../support/testApp.ts";
import { engines } from "../../support/testDatabase.ts";
import { type SandboxChannel, sandboxChannel } from "./liveHelpers.ts";

describe.each(engines)("outbound delivery through the simulator on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  let n = 0;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());
  beforeEach(() => t.parley.sandbox!.simulator.reset());

  const sim = () => t.parley.sandbox!.simulator;
  const phone = () => `+1415556${String(1000 + n++).padStart(4, "0")}`;

  /** A conversation whose customer has written (through the simulator), so the window is open on both sides. */
  async function chatting(p = phone()) {
    sim().customerSays({ phoneNumberId: ch.phoneNumberId, phone: p, text: "hi" });
    const conv = await waitFor(
      "inbound conversation",
      async () =>
        (await t.api("GET", `/api/v1/conversations?q=${encodeURIComponent(p.slice(1))}`)).body.data[0],
    );
    return { phone: p, conv };
  }

  /** A conversation opened by the business, with no inbound message: the window is closed. */
  async function cold(p = phone()) {
    const open = await t.api("POST", "/api/v1/conversations/open", { phone: p, channel_id: ch.id });
    return { phone: p, conv: open.body.conversation };
  }

  const message = async (convId: string, id: string) =>
    (await t.api("GET", `/api/v1/conversations/${convId}/messages?limit=200`)).body.data.find(
      (m: { id: string }) => m.id === id,
    );
  const until = (convId: string, id: string, status: string) =>
    waitFor(`message ${status}`, async () => {
      const m = await message(convId, id);
      return m?.status === status ? m : null;
    });

  test("free-form outside the window is refused with a 422 that asks for a template; a template goes through", async () => {
    const { phone: p, conv } = await cold();
    expect(conv.window_expires_at).toBeNull();
    const refused = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: "Hello" });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("window_closed");
    expect(refused.body.detail).toMatch(/template/);
    const ok = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, {
      template: { name: "order_ready", language: "en", body: ["Riya", "A-7"] },
    });
    expect(ok.status).toBe(201);
    await until(conv.id, ok.body.id, "read");
    const onPhone = sim().phoneMessages(p, ch.phoneNumberId);
    expect(onPhone.at(-1)).toMatchObject({
      direction: "in",
      templateName: "order_ready",
      text: expect.stringContaining("order A-7"),
    });
  });

  test("template checks happen before Meta: unknown, wrong language, wrong parameter count, not approved", async () => {
    const { conv } = await cold();
    const send = (template: unknown) =>
      t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { template });
    const unknown = await send({ name: "nope", language: "en" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe("template.name");
    expect((await send({ name: "order_ready", language: "de" })).body.detail).toMatch(/exists in: en/);
    const count = await send({ name: "order_ready", language: "en", body: ["only one"] });
    expect(count.body).toMatchObject({ status: 422, errors: [{ field: "template.body" }] });
    expect(count.body.detail).toMatch(/takes 2 body parameters, got 1/);
    await t.api("POST", `/api/v1/channels/${ch.id}/templates`, {
      name: "draft_offer",
      language: "en",
      category: "MARKETING",
      status: "PENDING",
      components: [{ type: "BODY", text: "Hi" }],
    });
    expect((await send({ name: "draft_offer", language: "en" })).body.detail).toMatch(/PENDING/);
  });

  test("every outbound type reaches the phone", async () => {
    const { phone: p, conv } = await chatting();
    const bodies = [
      { text: "Plain text" },
      {
        interactive: {
          type: "button",
          body: "Track it?",
          buttons: [
            { id: "yes", title: "Yes" },
            { id: "no", title: "No" },
          ],
        },
      },
      {
        interactive: {
          type: "list",
          body: "Pick a slot",
          button: "Slots",
          sections: [{ rows: [{ id: "9", title: "9:00" }] }],
        },
      },
      { image: { link: "https://example.com/receipt.png", caption: "Receipt" } },
      { document: { link: "https://example.com/invoice.pdf", caption: "Invoice", filename: "invoice.pdf" } },
      { template: { name: "we_miss_you", language: "en", body: ["Riya"] } },
    ];
    for (const b of bodies) {
      const res = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, b);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await until(conv.id, res.body.id, "read");
    }
    const texts = sim()
      .phoneMessages(p, ch.phoneNumberId)
      .filter((m) => m.direction === "in")
      .map((m) => m.text);
    expect(texts).toEqual([
      "Plain text",
      "Track it?",
      "Pick a slot",
      "[image] Receipt",
      "[document] Invoice",
      expect.stringContaining("Hi Riya"),
    ]);
  });

  test("the customer taps a button and the reply lands in the conversation", async () => {
    const { phone: p, conv } = await chatting();
    const res = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, {
      interactive: {
        type: "button",
        body: "Track it?",
        buttons: [
          { id: "yes", title: "Yes" },
          { id: "no", title: "No" },
        ],
      },
    });
    await until(conv.id, res.body.id, "read");
    const tap = await t.api("POST", `/sandbox/phones/${encodeURIComponent(p)}/messages`, {
      reply: { id: "yes" },
    });
    expect(tap.status).toBe(202);
    const reply = await waitFor("the reply", async () =>
      (await t.api("GET", `/api/v1/conversations/${conv.id}/messages`)).body.data.find(
        (m: { type: string; direction: string }) => m.type === "interactive" && m.direction === "inbound",
      ),
    );
    expect(reply.content.reply).toMatchObject({ kind: "button_reply", id: "yes", title: "Yes" });
    const bad = await t.api("POST", `/sandbox/phones/${encodeURIComponent(p)}/messages`, {
      reply: { id: "maybe" },
    });
    expect(bad.status).toBe(422);
  });

  test("transient failures (HTTP 500, timeouts) are retried until sent", async () => {
    const { conv } = await chatting();
    sim().faults.http500 = 2;
    const a = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: "after two 500s" });
    const sentA = await waitFor(
      "retried send",
      async () => {
        const row = await t.parley.deps.store.db
          .selectFrom("messages")
          .select(["status", "attempts"])
          .where("id", "=", a.body.id)
          .executeTakeFirst();
        return row && ["sent", "delivered", "read"].includes(row.status) ? row : null;
      },
      20_000,
    );
    expect(sentA.attempts).toBe(3);
    sim().faults.timeout = 1;
    const b = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: "after a timeout" });
    await waitFor(
      "send after timeout",
      async () => ["sent", "delivered", "read"].includes((await message(conv.id, b.body.id))?.status),
      20_000,
    );
  });

  test("permanent failures are recorded with Meta's code: not on WhatsApp (131026), window closed by Meta (131047)", async () => {
    const p = phone();
    sim().upsertPhone({ phone: p, onWhatsApp: false });
    const { conv } = await cold(p);
    const res = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, {
      template: { name: "order_ready", language: "en", body: ["A", "B"] },
    });
    const failed = await until(conv.id, res.body.id, "failed");
    expect(failed.error.code).toBe("131026");

    // Parley believes the window is open (a stale record), Meta knows better and fails the send.
    const stale = await cold();
    await t.parley.deps.store.db
      .updateTable("conversations")
      .set({ last_inbound_at: Date.now() - 60_000 })
      .where("id", "=", stale.conv.id)
      .execute();
    const r2 = await t.api("POST", `/api/v1/conversations/${stale.conv.id}/messages`, { text: "hello?" });
    expect(r2.status).toBe(201);
    const f2 = await until(stale.conv.id, r2.body.id, "failed");
    expect(f2.error).toMatchObject({ code: "131047", detail: expect.stringContaining("24 hours") });
    const after = (await t.api("GET", `/api/v1/conversations/${stale.conv.id}`)).body;
    expect(Date.parse(after.window_expires_at)).toBeLessThanOrEqual(Date.now());
    expect(
      (await t.api("POST", `/api/v1/conversations/${stale.conv.id}/messages`, { text: "again" })).status,
    ).toBe(422);
  });

  test("a bad token (190) fails the message, marks the channel unhealthy and holds its queue", async () => {
    const { conv } = await chatting();
    sim().faults.badToken = 1;
    const a = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: "token expired" });
    const failed = await until(conv.id, a.body.id, "failed");
    expect(failed.error.code).toBe("190");
    const channel = (await t.api("GET", `/api/v1/channels/${ch.id}`)).body;
    expect(channel).toMatchObject({ healthy: false, unhealthy_reason: expect.stringContaining("190") });
    const b = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: "waits" });
    await new Promise((r) => setTimeout(r, 600));
    expect((await message(conv.id, b.body.id)).status).toBe("queued");
    // The admin pastes a fresh token: the channel is healthy again and its held queue goes out.
    const secrets = await channelStore.secrets(t.parley.deps.store, ch.id);
    const fixed = await t.api("PATCH", `/api/v1/channels/${ch.id}`, { access_token: secrets.accessToken });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ healthy: true, unhealthy_reason: null });
    expect(fixed.body.access_token).toBeUndefined();
    await waitFor(
      "queue resumes",
      async () => ["sent", "delivered", "read"].includes((await message(conv.id, b.body.id)).status),
      15_000,
    );
  });

  test("throughput stays under the number's mps: no 130429 from the simulator", async () => {
    await t.parley.deps.store.db.updateTable("channels").set({ mps: 20 }).where("id", "=", ch.id).execute();
    sim().registerNumber({ ...sim().numbers()[0]!, mps: 20 });
    t.parley.deps.store.bus.emit("channels.changed");
    const ids: { conv: string; id: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const { conv } = await cold();
      const r = await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, {
        template: { name: "we_miss_you", language: "en", body: [`C${i}`] },
      });
      ids.push({ conv: conv.id, id: r.body.id });
    }
    await waitFor(
      "all sent",
      async () => {
        const rows = await t.parley.deps.store.db
          .selectFrom("messages")
          .select(["status", "error_code"])
          .where(
            "id",
            "in",
            ids.map((x) => x.id),
          )
          .execute();
        return rows.every((r) => r.status !== "queued" && r.status !== "sending");
      },
      30_000,
    );
    const rows = await t.parley.deps.store.db
      .selectFrom("messages")
      .select(["status", "error_code", "attempts"])
      .where(
        "id",
        "in",
        ids.map((x) => x.id),
      )
      .execute();
    expect(rows.filter((r) => r.error_code === "130429")).toEqual([]);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    await t.parley.deps.store.db.updateTable("channels").set({ mps: 80 }).where("id", "=", ch.id).execute();
    sim().registerNumber({ ...sim().numbers()[0]!, mps: 80 });
    t.parley.deps.store.bus.emit("channels.changed");
  });

  test("the pair rate limit defers a burst to one person instead of tripping 131056", async () => {
    const { conv } = await chatting();
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 22; i++)
      ids.push(
        (await t.api("POST", `/api/v1/conversations/${conv.id}/messages`, { text: `burst ${i}` })).body.id,
      );
    await waitFor(
      "burst handled",
      async () => {
        const rows = await t.parley.deps.store.db
          .selectFrom("messages")
          .select(["status"])
          .where("id", "in", ids)
          .execute();
        return (
          rows.filter((r) => r.status === "queued").length === 2 &&
          rows.filter((r) => r.status !== "queued").length === 20
        );
      },
      15_000,
    );
    const deferred = await t.parley.deps.store.db
      .selectFrom("messages")
      .select(["next_attempt_at", "error_code"])
      .where("id", "in", ids)
      .where("status", "=", "queued")
      .execute();
    for (const d of deferred) expect(d.next_attempt_at!).toBeGreaterThan(started);
    // About one message per 6 s after the burst: two seconds later the two extra are still waiting.
    await new Promise((r) => setTimeout(r, 2000));
    const still = await t.parley.deps.store.db
      .selectFrom("messages")
      .select("id")
      .where("id", "in", ids)
      .where("status", "=", "queued")
      .execute();
    expect(still).toHaveLength(2);
    const errors = await t.parley.deps.store.db
      .selectFrom("messages")
      .select("error_code")
      .where("id", "in", ids)
      .where("error_code", "=", "131056")
      .execute();
    expect(errors).toEqual([]);
  });

  test("a send interrupted by a crash is failed as send_interrupted after restart, never resent", async () => {
    const { phone: p, conv } = await chatting();
    // Stop the worker from picking it up, then leave it the way a crash mid-send would: `sending`, lease expired.
    await t.parley.delivery.stop();
    const res = await t.parley.deps.store.db.transaction().execute(async (tx) => {
      const { queueOutboundIn } = await import("../../../src/store/messageStore.ts");
      return queueOutboundIn(t.parley.deps.store, tx, t.workspaceId, conv.id, {
        type: "text",
        content: { text: "half sent" },
        author: { type: "agent", id: null },
        by: { type: "api", id: null },
      });
    });
    await t.parley.deps.store.db
      .updateTable("messages")
      .set({ status: "sending", send_started_at: Date.now() - 120_000, lease_until: Date.now() - 60_000 })
      .where("id", "=", res.id)
      .where("status", "in", ["queued", "sending"])
      .execute();
    await t.restart();
    ch = await sandboxChannel(t);
    const m = await waitFor("interrupted send failed", async () => {
      const row = await t.parley.deps.store.db
        .selectFrom("messages")
        .selectAll()
        .where("id", "=", res.id)
        .executeTakeFirst();
      return row?.status === "failed" ? row : null;
    });
    expect(m.error_code).toBe("send_interrupted");
    expect(t.parley.sandbox!.simulator.phoneMessages(p).filter((x) => x.text === "half sent")).toHaveLength(
      0,
    );
  });
});
