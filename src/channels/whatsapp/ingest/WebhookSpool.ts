import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { AppError } from "../../../core/errors.ts";
import { GroupCommit } from "../../../store/GroupCommit.ts";
import { decodeFrames, encodeFrames, type RawDelivery } from "./spoolFrames.ts";

/**
 * Deliveries written together (their frames, as in the file), and where the segment ends after them: the mark
 * the database acknowledges.
 */
export interface SpoolChunk {
  bytes: Uint8Array;
  count: number;
  seq: number;
  end: number;
}

/** A segment is closed and a new one started past this size; a closed segment is deleted once all of it is in. */
const SEGMENT_BYTES = 16 * 1024 * 1024;
const NAME = /^segment-(\d{12})\.spool$/;
const OWNER = "owner.pid";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but someone else's.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const nameOf = (seq: number) => `segment-${String(seq).padStart(12, "0")}.spool`;

/**
 * The webhook inbox of the threaded SQLite setup: verified deliveries are appended to a file before Meta gets
 * its 200, and handed to the thread that writes them into the database. An append is a plain `write()`, as
 * durable as a SQLite commit in WAL mode with `synchronous = NORMAL` (it survives the process dying, not the
 * machine losing power), and costs the event loop a few microseconds instead of a transaction. Deliveries
 * arriving in the same turn of the event loop share one write. Segments left by a process that died are read
 * back on start (`open`) and ingested first; storing is idempotent, so a delivery read twice is stored once.
 */
export class WebhookSpool {
  readonly #dir: string;
  readonly #onChunk: (chunk: SpoolChunk) => void;
  readonly #segmentBytes: number;
  readonly #commits: GroupCommit<RawDelivery, void>;
  #seq = 0;
  #fd = -1;
  #size = 0;
  /** Closed segments not yet fully in the database, with their final sizes. */
  readonly #sealed = new Map<number, number>();
  #acked = { seq: 0, end: 0 };

  constructor(dir: string, onChunk: (chunk: SpoolChunk) => void, options: { segmentBytes?: number } = {}) {
    this.#dir = dir;
    this.#onChunk = onChunk;
    this.#segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.#commits = new GroupCommit({ commitBatch: async (items) => this.#append(items) });
  }

  /** Opens a new segment; returns the deliveries that segments left by an earlier process still hold. */
  open(): SpoolChunk[] {
    mkdirSync(this.#dir, { recursive: true });
    this.#claimOwnership();
    const left: SpoolChunk[] = [];
    const seqs = readdirSync(this.#dir)
      .map((name) => NAME.exec(name)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const bytes = readFileSync(join(this.#dir, nameOf(seq)));
      const { deliveries, used } = decodeFrames(bytes);
      // A segment with no whole frame holds nothing answered 200. Deleting it must not go through `acknowledge`,
      // which would take every earlier segment with it while their deliveries are still on their way in.
      if (deliveries.length === 0) {
        unlinkSync(join(this.#dir, nameOf(seq)));
        continue;
      }
      this.#sealed.set(seq, used);
      left.push({ bytes: bytes.subarray(0, used), count: deliveries.length, seq, end: used });
    }
    this.#seq = (seqs.at(-1) ?? 0) + 1;
    this.#openSegment();
    return left;
  }

  accept(delivery: RawDelivery): Promise<void> {
    if (this.#fd < 0) return Promise.reject(new AppError("unavailable", "The webhook inbox is not open"));
    return this.#commits.submit(delivery);
  }

  /** Everything up to `end` of segment `seq` is in the database: deletes the segments that are all in. */
  acknowledge(seq: number, end: number): void {
    this.#acked = { seq, end };
    for (const [s, size] of this.#sealed) {
      if (size > 0 && (s > seq || (s === seq && end < size))) continue;
      this.#sealed.delete(s);
      unlinkSync(join(this.#dir, nameOf(s)));
    }
  }

  /** Closes the segment; deletes it too when all of it is in the database. */
  close(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
    this.#sealed.set(this.#seq, this.#size);
    this.acknowledge(this.#acked.seq, this.#acked.end);
    rmSync(join(this.#dir, OWNER), { force: true });
  }

  /**
   * One process per spool: another one reading these segments as "left behind" would store them and delete
   * them while they are still being written. A pid file names the owner; a dead owner's is taken over.
   */
  #claimOwnership(): void {
    const file = join(this.#dir, OWNER);
    const owner = existsSync(file) ? Number(readFileSync(file, "utf8")) : 0;
    if (owner > 0 && owner !== process.pid && isAlive(owner))
      throw new Error(
        `Another Parley process (pid ${owner}) is using this database's webhook spool (${this.#dir}): run one \`parley serve\` per SQLite file`,
      );
    writeFileSync(file, String(process.pid));
  }

  #openSegment(): void {
    this.#fd = openSync(join(this.#dir, nameOf(this.#seq)), "a");
    this.#size = 0;
  }

  #append(items: RawDelivery[]): undefined[] {
    const bytes = encodeFrames(items);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.#fd, bytes, at);
    } catch (err) {
      // A frame cut short would make every later frame unreadable: cut the segment back to its last whole frame.
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {}
      throw new AppError(
        "unavailable",
        `The webhook could not be stored (${(err as Error).message}); Meta will retry it`,
      );
    }
    this.#size += bytes.length;
    this.#onChunk({ bytes, count: items.length, seq: this.#seq, end: this.#size });
    if (this.#size >= this.#segmentBytes) {
      closeSync(this.#fd);
      this.#sealed.set(this.#seq, this.#size);
      this.#seq += 1;
      this.#openSegment();
    }
    return items.map(() => undefined);
  }
}
