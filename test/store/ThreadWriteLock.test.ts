import type { Worker } from "node:worker_threads";
import { describe, expect, test } from "vitest";
import { startTsThread } from "../../src/runtime/startTsThread.ts";
import { ThreadWriteLock } from "../../src/store/ThreadWriteLock.ts";

const holder = (lock: ThreadWriteLock, party: number, log: Int32Array, rounds: number, die = false) =>
  startTsThread(new URL("./lockHolder.ts", import.meta.url), {
    share: lock.share,
    party,
    log: log.buffer,
    rounds,
    die,
  });
const message = (w: Worker) =>
  new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });

describe("ThreadWriteLock", () => {
  test("three threads never hold it at once, and all get all their turns", async () => {
    const lock = new ThreadWriteLock();
    // [0] threads inside now, [1] times two were inside together.
    const log = new Int32Array(new SharedArrayBuffer(8));
    const rounds = 60;
    const others = [holder(lock, 1, log, rounds), holder(lock, 2, log, rounds)];
    const done = Promise.all(others.map(message));
    let mine = 0;
    for (let round = 0; round < rounds; round++) {
      await lock.acquire();
      if (Atomics.add(log, 0, 1) !== 0) Atomics.add(log, 1, 1);
      const until = Date.now() + 1;
      while (Date.now() < until) {}
      Atomics.sub(log, 0, 1);
      mine++;
      lock.release();
    }
    expect(await done).toEqual(["done", "done"]);
    await Promise.all(others.map((w) => w.terminate()));
    expect(mine).toBe(rounds);
    expect(Atomics.load(log, 1)).toBe(0);
    lock.close();
  });

  test("waiting does not block the event loop, and a dead thread's turn is skipped", async () => {
    const lock = new ThreadWriteLock();
    const log = new Int32Array(new SharedArrayBuffer(8));
    await lock.acquire();
    // Party 1 takes a ticket behind us and dies; party 2 queues behind it.
    const dying = holder(lock, 1, log, 1, true);
    await message(dying);
    await dying.terminate();
    const alive = holder(lock, 2, log, 3);
    const aliveDone = message(alive);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(ticks).toBeGreaterThan(3);
    lock.release();
    // Party 2 now waits behind the dead ticket, for ever unless it is skipped.
    lock.abandon(1);
    expect(await aliveDone).toBe("done");
    clearInterval(timer);
    await lock.acquire();
    lock.release();
    await alive.terminate();
    lock.close();
  });
});
