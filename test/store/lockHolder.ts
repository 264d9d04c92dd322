import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { ThreadWriteLock } from "../../src/store/ThreadWriteLock.ts";

// The other thread of ThreadWriteLock.test.ts: takes the lock `rounds` times, holding it ~2 ms each, and counts
// in the shared log whether anyone else was inside at the same time.
const data = workerData as {
  buffer: SharedArrayBuffer;
  port: MessagePort;
  log: SharedArrayBuffer;
  rounds: number;
};
const lock = new ThreadWriteLock(data.buffer);
lock.connect(data.port);
const log = new Int32Array(data.log);
for (let round = 0; round < data.rounds; round++) {
  await lock.acquire();
  if (Atomics.add(log, 0, 1) !== 0) Atomics.add(log, 1, 1);
  const until = Date.now() + 2;
  while (Date.now() < until) {}
  Atomics.sub(log, 0, 1);
  lock.release();
  await new Promise((r) => setImmediate(r));
}
parentPort?.postMessage("done");
