import type { EventEmitter } from "node:events";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { Logger } from "pino";
import { createLogger } from "../log/createLogger.ts";
import { type LockShare, ThreadWriteLock } from "../store/ThreadWriteLock.ts";

/** What every DbThread tells the main thread, besides its own messages. */
export type LinkMessage = { type: "committed" } | { type: "log"; line: string };

/** What every DbThread gets in workerData, besides its own settings. */
export interface LinkData {
  lock: LockShare;
  party: number;
  logLevel: string;
}

/**
 * The thread's side of a DbThread: its port to the main thread, its workerData, its party in the database lock,
 * a logger whose lines go to the main thread's log, and `forwardCommits` to wake the main thread's workers
 * after each of its commits (once per turn of the event loop).
 */
export function threadLink<Data extends LinkData, Out extends { type: string }>(): {
  port: MessagePort;
  data: Data;
  lock: ThreadWriteLock;
  log: Logger;
  /** The thread's own messages to the main thread (DbThread's `onMessage`). */
  post(message: Out): void;
  forwardCommits(bus: EventEmitter): void;
} {
  if (!parentPort) throw new Error("this module runs as a worker thread (see DbThread)");
  const port = parentPort;
  const data = workerData as Data;
  const link = (message: LinkMessage | Out) => port.postMessage(message);
  const log = createLogger(data.logLevel, { write: (line: string) => link({ type: "log", line }) });
  return {
    port,
    data,
    lock: new ThreadWriteLock(data.lock, data.party),
    log,
    post: link,
    forwardCommits(bus) {
      let pending = false;
      bus.on("committed", () => {
        if (pending) return;
        pending = true;
        setImmediate(() => {
          pending = false;
          link({ type: "committed" });
        });
      });
    },
  };
}
