import { parentPort, workerData } from "node:worker_threads";
import { type LockShare, ThreadWriteLock } from "../../src/store/ThreadWriteLock.ts";

// Another thread of ThreadWriteLock.test.ts: takes the lock `rounds` times, holding it ~1 ms each, and counts in
// the shared log whether anyone else was inside at the same time. With `die`, it takes a ticket and never
// releases it (as a thread that crashed holding or waiting for the lock).
const data = workerData as {
  share: LockShare;
  party: number;
  log: SharedArrayBuffer;
  rounds: number;
  die?: boolean;
};
const lock = new ThreadWriteLock(data.share, data.party);
const log = new Int32Array(data.log);
// The lock's channel doesn't keep a thread alive (the real threads listen to their parent); this does.
const alive = setInterval(() => {}, 1000);
if (data.die) {
  void lock.acquire();
  parentPort?.postMessage("stuck");
} else {
  for (let round = 0; round < data.rounds; round++) {
    await lock.acquire();
    if (Atomics.add(log, 0, 1) !== 0) Atomics.add(log, 1, 1);
    const until = Date.now() + 1;
    while (Date.now() < until) {}
    Atomics.sub(log, 0, 1);
    lock.release();
    await new Promise((r) => setImmediate(r));
  }
  lock.close();
  clearInterval(alive);
  parentPort?.postMessage("done");
}
