import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  decodeFrames,
  encodeFrames,
  type RawDelivery,
  type SpooledDelivery,
} from "../../../src/channels/whatsapp/ingest/spoolFrames.ts";
import { type SpoolChunk, WebhookSpool } from "../../../src/channels/whatsapp/ingest/WebhookSpool.ts";
import { type WebhookPace, WebhookThread } from "../../../src/channels/whatsapp/ingest/WebhookThread.ts";
import { AppError } from "../../../src/core/errors.ts";
import { toProblem } from "../../../src/http/problem.ts";
import { ThreadWriteLock } from "../../../src/store/ThreadWriteLock.ts";
import { startTestApp, type TestApp } from "../../support/testApp.ts";
import { count, inboundText, postWebhook, type SandboxChannel, sandboxChannel } from "./liveHelpers.ts";

const delivery = (i: number, channelId: string | null = "ch_1"): SpooledDelivery => ({
  channelId,
  body: `{"n":${i},"text":"héllo ✓"}`,
  receivedAt: 1_790_000_000_000 + i,
});
const raw = (d: SpooledDelivery): RawDelivery => ({
  channelId: d.channelId,
  raw: Buffer.from(d.body, "utf8"),
  receivedAt: d.receivedAt,
});
const encodeFrame = (d: SpooledDelivery) => encodeFrames([raw(d)]);
const deliveriesOf = (c: SpoolChunk | undefined) => (c ? decodeFrames(c.bytes).deliveries : []);

describe("spool frames", () => {
  test("round-trip deliveries, a missing channel included; a frame cut short ends the list", () => {
    const frames = [encodeFrame(delivery(1)), encodeFrame(delivery(2, null)), encodeFrame(delivery(3))];
    const whole = encodeFrames([raw(delivery(1)), raw(delivery(2, null)), raw(delivery(3))]);
    expect(whole).toEqual(Buffer.concat(frames));
    expect(decodeFrames(whole)).toEqual({
      deliveries: [delivery(1), delivery(2, null), delivery(3)],
      used: whole.length,
    });
    const cut = whole.subarray(0, whole.length - 5);
    const twoFrames = (frames[0]?.length ?? 0) + (frames[1]?.length ?? 0);
    expect(decodeFrames(cut)).toEqual({ deliveries: [delivery(1), delivery(2, null)], used: twoFrames });
    expect(decodeFrames(whole.subarray(0, 3))).toEqual({ deliveries: [], used: 0 });
  });
});

describe("WebhookSpool", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "parley-spool-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const segments = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".spool"))
      .sort();

  test("hands on each write with its mark, starts new segments, and deletes a segment once all of it is in", async () => {
    const chunks: SpoolChunk[] = [];
    const spool = new WebhookSpool(dir, (c) => chunks.push(c), { segmentBytes: 100 });
    expect(spool.open()).toEqual([]);
    expect(segments()).toEqual(["segment-000000000001.spool"]);
    await Promise.all([spool.accept(raw(delivery(1))), spool.accept(raw(delivery(2)))]);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.count).toBe(2);
    expect(deliveriesOf(chunks[0])).toEqual([delivery(1), delivery(2)]);
    await spool.accept(raw(delivery(3)));
    await spool.accept(raw(delivery(4)));
    // 45 bytes a frame: the write that takes segment 1 past 100 bytes closes it; delivery 4 opens segment 2.
    expect(chunks.map((c) => c.seq)).toEqual([1, 1, 2]);
    expect(segments()).toEqual(["segment-000000000001.spool", "segment-000000000002.spool"]);

    spool.acknowledge(chunks[0]?.seq ?? 0, chunks[0]?.end ?? 0);
    expect(segments()).toHaveLength(2); // segment 1 is only partly in
    spool.acknowledge(chunks[1]?.seq ?? 0, chunks[1]?.end ?? 0);
    expect(segments()).toEqual(["segment-000000000002.spool"]);
    spool.acknowledge(chunks[2]?.seq ?? 0, chunks[2]?.end ?? 0);
    spool.close();
    expect(segments()).toEqual([]); // the open segment held nothing unacknowledged
    expect(readdirSync(dir)).toEqual([]); // nor is the owner's pid left
  });

  test("a spool another live process owns is refused; a dead owner's is taken over", async () => {
    // The test runner's parent process is alive and not us.
    writeFileSync(join(dir, "owner.pid"), String(process.ppid));
    expect(() => new WebhookSpool(dir, () => {}).open()).toThrow(
      `Another Parley process (pid ${process.ppid}) is using this database's webhook spool`,
    );
    const child = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => child.once("exit", r));
    writeFileSync(join(dir, "owner.pid"), String(child.pid));
    const spool = new WebhookSpool(dir, () => {});
    spool.open();
    spool.close();
    expect(segments()).toEqual([]);
  });

  /** A webhook thread over this spool that is never started, so every delivery it accepts stays waiting. */
  const unstartedThread = (limits: { maxBacklog?: number; pace?: WebhookPace }) =>
    new WebhookThread({
      spoolDir: dir,
      url: "sqlite::memory:",
      lock: new ThreadWriteLock(),
      secretKey: "x".repeat(40),
      log: pino({ level: "silent" }),
      bus: new EventEmitter(),
      ...limits,
    });

  test("past its backlog limit the inbox refuses new deliveries with a 503 (Meta retries them)", async () => {
    const thread = unstartedThread({ maxBacklog: 2 });
    // The thread is not started: nothing is stored, so the backlog only grows.
    await thread.accept("ch_1", Buffer.from('{"n":1}'));
    await thread.accept("ch_1", Buffer.from('{"n":2}'));
    expect(thread.backlog).toBe(2);
    const refused = await thread.accept("ch_1", Buffer.from('{"n":3}')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("unavailable");
    expect(toProblem(refused).status).toBe(503);
    await thread.stop();
  });

  test("once storing falls behind, answers are held back in proportion, up to a cap", async () => {
    const thread = unstartedThread({ pace: { from: 2, msPerDelivery: 60, maxMs: 150 } });
    const timed = async (n: number) => {
      const started = performance.now();
      await thread.accept("ch_1", Buffer.from(`{"n":${n}}`));
      return performance.now() - started;
    };
    // The thread is not started, so every delivery stays waiting.
    await timed(1);
    await timed(2);
    expect(await timed(3)).toBeGreaterThanOrEqual(55); // one beyond: 60 ms
    expect(await timed(4)).toBeGreaterThanOrEqual(115); // two beyond: 120 ms
    const capped = await timed(20); // 18 beyond would be 1,080 ms
    expect(capped).toBeGreaterThanOrEqual(145);
    expect(capped).toBeLessThan(900);
    expect(thread.backlog).toBe(5);
    await thread.stop();
  });

  test("a spool that took nothing leaves nothing behind", () => {
    const spool = new WebhookSpool(dir, () => {});
    spool.open();
    spool.close();
    expect(segments()).toEqual([]);
  });

  test("a spool left by a process that died is read back on open, and new writes go to a new segment", async () => {
    const first = new WebhookSpool(dir, () => {});
    first.open();
    await first.accept(raw(delivery(1)));
    await first.accept(raw(delivery(2)));
    // No close, no acknowledgement: the process died here.
    const chunks: SpoolChunk[] = [];
    const second = new WebhookSpool(dir, (c) => chunks.push(c));
    const left = second.open();
    expect(left.flatMap(deliveriesOf)).toEqual([delivery(1), delivery(2)]);
    await second.accept(raw(delivery(3)));
    expect(chunks[0]?.seq).toBeGreaterThan(left[0]?.seq ?? 0);
    second.acknowledge(left[0]?.seq ?? 0, left[0]?.end ?? 0);
    expect(segments()).toHaveLength(1);
    second.close();
    expect(segments()).toHaveLength(1); // delivery 3 is not acknowledged: kept for the next start
  });

  test("an empty segment after one still holding deliveries does not take the earlier one with it", () => {
    // A process that filled segment 1, started segment 2 and died before writing to it.
    writeFileSync(join(dir, "segment-000000000001.spool"), encodeFrame(delivery(1)));
    writeFileSync(join(dir, "segment-000000000002.spool"), "");
    const spool = new WebhookSpool(dir, () => {});
    const left = spool.open();
    expect(left.flatMap(deliveriesOf)).toEqual([delivery(1)]);
    // Not in the database yet: segment 1 stays until it is acknowledged; the empty one is gone.
    expect(segments()).toEqual(["segment-000000000001.spool", "segment-000000000003.spool"]);
    spool.acknowledge(left[0]?.seq ?? 0, left[0]?.end ?? 0);
    expect(segments()).toEqual(["segment-000000000003.spool"]);
    spool.close();
  });
});

describe("webhooks on a SQLite file go through the spool and the webhook thread", () => {
  let t: TestApp;
  let ch: SandboxChannel;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { live: true });
    ch = await sandboxChannel(t);
  });
  afterAll(() => t.close());

  const spoolDir = () => `${t.config.DATABASE_URL.slice("sqlite:".length)}.webhook-spool`;
  /** The WhatsApp ids of the stored messages whose ids start with `prefix`, sorted. */
  const waMessageIds = async (prefix: string) =>
    (
      await t.parley.deps.store.db
        .selectFrom("messages")
        .select("wa_message_id")
        .where("wa_message_id", "like", `${prefix}%`)
        .execute()
    )
      .map((m) => m.wa_message_id)
      .sort();

  test("deliveries a dead process acknowledged but never stored are stored and processed after the restart", async () => {
    const body = (id: string, text: string) =>
      JSON.stringify(inboundText(ch, { from: "14155550777", id, text }));
    const before = body("wamid.spool.before", "stored already");
    expect((await postWebhook(t, before, ch.appSecret)).status).toBe(200);
    await t.parley.processor.drain();
    const deliveriesBefore = await count(t, "webhook_deliveries");

    // What a process that died right after answering Meta leaves: two new deliveries, one it had already
    // stored (read again, it must not be stored twice), and a frame cut short by the crash.
    const left = [
      body("wamid.spool.left.1", "first after the crash"),
      before,
      body("wamid.spool.left.2", "second after the crash"),
    ].map((b, i) => encodeFrame({ channelId: ch.id, body: b, receivedAt: Date.now() + i }));
    const torn = encodeFrame({ channelId: ch.id, body: body("wamid.spool.torn", "cut"), receivedAt: 0 });
    const file = join(spoolDir(), "segment-000000999999.spool");
    writeFileSync(file, Buffer.concat([...left, torn.subarray(0, 20)]));

    await t.restart();
    await t.parley.startWorkers();
    await t.parley.processor.drain();

    expect((await count(t, "webhook_deliveries")) - deliveriesBefore).toBe(2);
    expect(await waMessageIds("wamid.spool.")).toEqual([
      "wamid.spool.before",
      "wamid.spool.left.1",
      "wamid.spool.left.2",
    ]);
    expect(existsSync(file)).toBe(false);
  });

  test("a webhook thread that dies is started again and stores everything it had not committed, once", async () => {
    const processor = t.parley.processor;
    if (!(processor instanceof WebhookThread)) throw new Error("expected the webhook thread");
    const body = (i: number) =>
      JSON.stringify(inboundText(ch, { from: "14155550778", id: `wamid.crash.${i}`, text: `message ${i}` }));
    const first = await Promise.all([0, 1, 2, 3, 4].map((i) => postWebhook(t, body(i), ch.appSecret)));
    await processor.crash();
    // Answered while no thread runs: kept until the new one starts.
    const second = await Promise.all([5, 6, 7, 8, 9].map((i) => postWebhook(t, body(i), ch.appSecret)));
    expect([...first, ...second].map((r) => r.status)).toEqual(Array(10).fill(200));
    await new Promise((r) => setTimeout(r, 1500));
    await processor.drain();
    expect(await waMessageIds("wamid.crash.")).toEqual(
      Array.from({ length: 10 }, (_, i) => `wamid.crash.${i}`).sort(),
    );
    expect(processor.backlog).toBe(0);
  });
});
