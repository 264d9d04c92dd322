import { type LinkData, threadLink } from "../../../runtime/threadLink.ts";
import { createDatabase } from "../../../store/createDatabase.ts";
import { SecretBox } from "../../../store/secretBox.ts";
import { createStoreContext } from "../../../store/storeContext.ts";
import { ChannelDirectory } from "./ChannelDirectory.ts";
import { decodeFrames, type SpooledDelivery } from "./spoolFrames.ts";
import { WebhookProcessor } from "./WebhookProcessor.ts";
import type { SpoolChunk } from "./WebhookSpool.ts";

export interface WebhookThreadData extends LinkData {
  url: string;
  secretKey: string;
}

/** What the main thread tells the webhook thread. */
export type WebhookThreadIn =
  | { type: "chunk"; chunk: SpoolChunk }
  | { type: "channels.changed" }
  | { type: "drain"; id: number }
  | { type: "stop" };

/** What the webhook thread tells the main thread (besides its commits and log lines). */
export type WebhookThreadOut = { type: "acked"; seq: number; end: number } | { type: "drained"; id: number };

/** Deliveries per transaction: bounds how long the thread holds the database from the main thread. */
const BATCH = 512;
const RETRY_MS = 1000;

const { port, data, lock, log, post, forwardCommits } = threadLink<WebhookThreadData, WebhookThreadOut>();
const database = createDatabase(data.url, { threadLock: lock, checkpointer: false });
const store = createStoreContext(database, new SecretBox(data.secretKey));
const processor = new WebhookProcessor(store, new ChannelDirectory(store), log);
forwardCommits(store.bus);

/** Chunks in arrival order, decoded; `next` is how far into the head chunk the thread has got. */
type Queued = { deliveries: SpooledDelivery[]; seq: number; end: number };
const queue: Queued[] = [];
let next = 0;
let running: Promise<void> | null = null;
let stopping = false;
const drains: number[] = [];

async function ingestAll(): Promise<void> {
  while (queue.length > 0) {
    const batch = [];
    let mark: { seq: number; end: number } | null = null;
    let take = { index: 0, next };
    while (batch.length < BATCH && take.index < queue.length) {
      const chunk = queue[take.index] as Queued;
      const room = BATCH - batch.length;
      const part = chunk.deliveries.slice(take.next, take.next + room);
      batch.push(...part);
      if (take.next + part.length < chunk.deliveries.length) {
        take = { index: take.index, next: take.next + part.length };
        break;
      }
      mark = { seq: chunk.seq, end: chunk.end };
      take = { index: take.index + 1, next: 0 };
    }
    try {
      await processor.ingest(batch);
    } catch (err) {
      // Nothing of the batch was committed; it stays queued (and in the spool) and is tried again, or, when
      // stopping, left in the spool for the next start.
      log.error({ err, deliveries: batch.length }, "webhook deliveries could not be stored; retrying");
      if (stopping) {
        queue.length = 0;
        return;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
      continue;
    }
    queue.splice(0, take.index);
    next = take.next;
    if (mark) post({ type: "acked", ...mark });
  }
}

function kick(): void {
  running ??= ingestAll().finally(() => {
    running = null;
    if (queue.length > 0) kick();
    else void settle().catch(onSettleError);
  });
}

const onSettleError = (err: unknown) => log.error({ err }, "webhook thread could not settle");

/** Answers drains and the stop once nothing is queued. */
async function settle(): Promise<void> {
  if (queue.length > 0 || running) return;
  if (drains.length > 0) {
    await processor.drain();
    for (const id of drains.splice(0)) post({ type: "drained", id });
  }
  if (stopping && !running && queue.length === 0) {
    stopping = false;
    await processor.stop();
    await database.close();
    lock.close();
    port.close();
  }
}

port.on("message", (m: WebhookThreadIn) => {
  switch (m.type) {
    case "chunk":
      queue.push({ deliveries: decodeFrames(m.chunk.bytes).deliveries, seq: m.chunk.seq, end: m.chunk.end });
      kick();
      return;
    case "channels.changed":
      store.bus.emit("channels.changed");
      return;
    case "drain":
      drains.push(m.id);
      void settle().catch(onSettleError);
      return;
    case "stop":
      stopping = true;
      void settle().catch(onSettleError);
      return;
    default:
      return;
  }
});

processor.start();
