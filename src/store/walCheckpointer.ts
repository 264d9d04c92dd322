import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * How often the background thread checkpoints. Each pass writes every page changed since the last one once, so
 * a longer interval writes a page that many commits change (a busy conversation's index leaf) fewer times:
 * `bench:webhooks` stored 11,100–12,600 deliveries/s with 500 ms against 9,500–11,200 with 100 ms (alternating
 * runs; 1 s was no better than 500 ms). At ~18,000 frames/s the log then grows to ~9,000 frames (~37 MB)
 * between passes; `WAL_AUTOCHECKPOINT_FRAMES` stays well above that.
 */
const INTERVAL_MS = 500;

/**
 * The connections' own auto-checkpoint, a safety net for a stalled checkpoint thread: a commit that crosses it
 * checkpoints on its own thread. ~120 MB of log.
 */
export const WAL_AUTOCHECKPOINT_FRAMES = 30_000;

// Plain JavaScript run in a worker thread: its own connection to the same file, checkpointing on a timer.
const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {}
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Copies the SQLite write-ahead log back into the database file from a worker thread. SQLite otherwise does it
 * inside whichever commit crosses the auto-checkpoint size, on the event loop, with an fsync: every thousandth
 * page made one webhook commit take many milliseconds. The main connection keeps a large auto-checkpoint as a
 * safety net, so a stalled thread only makes the log longer, never unbounded.
 */
export function startWalCheckpointer(file: string): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs: INTERVAL_MS } });
  worker.unref();
  worker.on("error", () => {});
  return {
    async stop() {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.postMessage("stop");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
      await worker.terminate();
    },
  };
}
