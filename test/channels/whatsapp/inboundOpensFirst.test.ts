import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp, waitFor } from "../../support/testApp.ts";
import { engines } from "../../support/testDatabase.ts";
import { inboundText, postWebhook, type SandboxChannel, sandboxChannel } from "./liveHelpers.ts";

/**
 * The customer's message that opens (or reopens) a conversation comes after the open, never before it: the web
 * app showed "Opened by the customer" under the very message that opened it.
 */
describe.each(engines)("an inbound message that opens its conversation, on %s", (engine) => {
  let t: TestApp;
  let ch: SandboxChannel;
  // Every read of the clock moves it on, as a busy machine does between two statements.
  let last = 0;
  const now = () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };

  beforeAll(async () => {
    t = await startTestApp(engine, { live: true, now });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());

  async function say(id: string, text: string) {
    const res = await postWebhook(t, inboundText(ch, { from: "14155550160", id, text }), ch.appSecret);
    expect(res.status, res.text).toBe(200);
    return waitFor(`message ${id}`, async () => {
      const list = await t.api("GET", "/api/v1/conversations?status=open");
      const conv = list.body.data.find(
        (c: { contact: { phone: string } }) => c.contact.phone === "+14155550160",
      );
      if (!conv) return undefined;
      const messages = await t.api("GET", `/api/v1/conversations/${conv.id}/messages`);
      const m = messages.body.data.find((x: { content: { text?: string } }) => x.content.text === text);
      return m ? { conv, message: m } : undefined;
    });
  }

  test("is created after the open, and after the reopen", async () => {
    const first = await say("wamid.order1", "hello");
    expect(first.conv.cycle).toBe(1);
    expect(Date.parse(first.message.created_at)).toBeGreaterThanOrEqual(Date.parse(first.conv.opened_at));
    expect(Date.parse(first.conv.last_message_at)).toBe(Date.parse(first.message.created_at));

    const closed = await t.api("POST", `/api/v1/conversations/${first.conv.id}/close`, {});
    expect(closed.status, closed.text).toBe(200);
    const again = await say("wamid.order2", "me again");
    expect(again.conv).toMatchObject({ id: first.conv.id, cycle: 2 });
    expect(Date.parse(again.message.created_at)).toBeGreaterThanOrEqual(Date.parse(again.conv.opened_at));
  });
});
