import { EventEmitter } from "node:events";
import { describe, expect, test } from "vitest";
import { Pump } from "../../src/runtime/Pump.ts";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("Pump", () => {
  test("passes never overlap, and wake-ups during a pass cost exactly one more pass", async () => {
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    let release: () => void = () => {};
    const pump = new Pump({
      pass: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        passes++;
        if (passes === 1) await new Promise<void>((r) => (release = r));
        active--;
        return false;
      },
      onError: () => {},
      coalesce: false,
    });
    pump.start();
    await tick();
    expect(passes).toBe(1);
    for (let i = 0; i < 5; i++) pump.wake();
    release();
    await tick(10);
    expect(passes).toBe(2);
    expect(maxActive).toBe(1);
    await pump.stop();
  });

  test("keeps passing while a pass reports more work; commits on the bus wake it; stopped, it stays quiet", async () => {
    const bus = new EventEmitter();
    let left = 3;
    let passes = 0;
    const pump = new Pump({
      pass: async () => {
        passes++;
        if (left > 0) left--;
        return left > 0;
      },
      onError: () => {},
      bus,
    });
    pump.start();
    await tick(10);
    expect(passes).toBe(3);
    bus.emit("committed");
    bus.emit("committed");
    await tick(10);
    expect(passes).toBe(4);
    await pump.stop();
    bus.emit("committed");
    pump.wake();
    await tick(10);
    expect(passes).toBe(4);
  });

  test("a failing pass is reported and the next wake-up runs again", async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const pump = new Pump({
      pass: async () => {
        passes++;
        if (passes === 1) throw new Error("boom");
        return false;
      },
      onError: (err) => errors.push(err),
    });
    pump.start();
    await tick(10);
    expect(errors).toHaveLength(1);
    pump.wake();
    await tick(10);
    expect(passes).toBe(2);
    await pump.stop();
  });

  test("stop waits for the pass in progress", async () => {
    let done = false;
    const pump = new Pump({
      pass: async () => {
        await tick(30);
        done = true;
        return false;
      },
      onError: () => {},
      coalesce: false,
    });
    pump.start();
    await tick();
    await pump.stop();
    expect(done).toBe(true);
  });

  test("run() drains before start; a closed gate ignores bus wake-ups but not a direct wake", async () => {
    const bus = new EventEmitter();
    let passes = 0;
    let open = false;
    const pump = new Pump({
      pass: async () => {
        passes++;
        return false;
      },
      onError: () => {},
      bus,
      event: "webhooks.received",
      gate: () => open,
      coalesce: false,
    });
    await pump.run();
    expect(passes).toBe(1);
    pump.start();
    await tick(10);
    expect(passes).toBe(2);
    bus.emit("webhooks.received");
    await tick(10);
    expect(passes).toBe(2);
    open = true;
    bus.emit("webhooks.received");
    await tick(10);
    expect(passes).toBe(3);
    await pump.stop();
    await pump.run();
    expect(passes).toBe(3);
  });

  test("with minGapMs, wake-ups are served one pass per gap, but a pass that found more work goes on at once", async () => {
    const starts: number[] = [];
    let more = 0;
    const pump = new Pump({
      pass: async () => {
        starts.push(performance.now());
        return more-- > 0;
      },
      onError: () => {},
      minGapMs: 40,
    });
    pump.start();
    await tick(5);
    // A stream of wake-ups over ~60 ms: two more passes at most, each ≥ 40 ms after the previous one.
    for (let i = 0; i < 12; i++) {
      pump.wake();
      await tick(5);
    }
    await tick(100);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < starts.length; i++)
      expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(38);
    // Passes that report more work are not spaced out (three gaps would be 120 ms).
    starts.length = 0;
    more = 3;
    await tick(45);
    pump.wake();
    await tick(110);
    expect(starts.length).toBe(4);
    expect((starts[3] as number) - (starts[0] as number)).toBeLessThan(100);
    await pump.stop();
  });
});
