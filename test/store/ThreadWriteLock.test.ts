import { MessageChannel } from "node:worker_threads";
import { describe, expect, test } from "vitest";
import { startTsThread } from "../../src/runtime/startTsThread.ts";
import { ThreadWriteLock } from "../../src/store/ThreadWriteLock.ts";

describe("ThreadWriteLock", () => {
  test("two threads never hold it at once, and both get all their turns", async () => {
    const lock = new ThreadWriteLock();
    const { port1, port2 } = new MessageChannel();
    lock.connect(port1);
    // [0] threads inside now, [1] times two were inside together.
    const log = new Int32Array(new SharedArrayBuffer(8));
    const rounds = 60;
    const other = startTsThread(
      new URL("./lockHolder.ts", import.meta.url),
      { buffer: lock.buffer, port: port2, log: log.buffer, rounds },
      [port2],
    );
    const otherDone = new Promise((resolve, reject) => {
      other.once("message", resolve);
      other.once("error", reject);
    });
    let mine = 0;
    for (let round = 0; round < rounds; round++) {
      await lock.acquire();
      if (Atomics.add(log, 0, 1) !== 0) Atomics.add(log, 1, 1);
      const until = Date.now() + 2;
      while (Date.now() < until) {}
      Atomics.sub(log, 0, 1);
      mine++;
      lock.release();
    }
    await otherDone;
    await other.terminate();
    expect(mine).toBe(rounds);
    expect(Atomics.load(log, 1)).toBe(0);
  });

  test("waiting for it does not block the event loop, and a dead thread's tickets can be abandoned", async () => {
    // Two sides in one thread stand for the two threads.
    const mainSide = new ThreadWriteLock();
    const otherSide = new ThreadWriteLock(mainSide.buffer);
    const { port1, port2 } = new MessageChannel();
    mainSide.connect(port1);
    otherSide.connect(port2);
    await otherSide.acquire();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let got = false;
    const waiting = mainSide.acquire().then(() => {
      got = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(ticks).toBeGreaterThan(3);
    expect(got).toBe(false);
    // The other side dies holding the lock.
    mainSide.abandonOthers();
    await waiting;
    expect(got).toBe(true);
    mainSide.release();
    clearInterval(timer);
    await mainSide.acquire();
    mainSide.release();
    port1.close();
  });
});
