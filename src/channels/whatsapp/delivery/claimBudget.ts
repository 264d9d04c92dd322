import type { RoutedChannel } from "../ingest/ChannelDirectory.ts";
import type { RateLimiter } from "./RateLimiter.ts";

/**
 * A number's send bucket: its mps, with room for a quarter of a second's worth. Claims take tokens every 25 ms
 * or so (`claimStep`), so the bucket is nearly empty while a queue drains and the room only lets the worker catch
 * up after the event loop paused (GC, a batch of webhooks, a busy machine) instead of losing the number's
 * throughput. It starts with one token at the first send: a process that just started can't know what the previous one
 * sent in its last moments, and counted from the first send the number's rate is never exceeded, not even by a
 * first burst.
 */
export function mpsBucket(channelId: string, mps: number) {
  return { key: `mps:${channelId}`, rate: mps, burst: Math.max(1, Math.ceil(mps / 4)), initial: 1 };
}

/** Tokens worth one claim (about 25 ms of the number's rate): fewer claims, each a few queries, at high mps. */
export function claimStep(mps: number): number {
  return Math.max(1, Math.floor(mps / 40));
}

/** Sends in flight per number: half a second's worth, so requests held up on the way can't burst past the rate. */
export function inFlightCap(mps: number): number {
  return Math.max(4, Math.ceil(mps / 2));
}

/**
 * How many queued rows a claim should read now, from the tokens the numbers' buckets hold (without taking them):
 * `rows: 0` with `waitMs` when no number has enough for a worthwhile claim yet (\`claimStep\`, or what its
 * in-flight cap leaves). On PostgreSQL the buckets are rows the limiter can't peek at: there a number's bucket
 * size (and its in-flight room) bounds the read. A claim after every finished send read hundreds of rows to send
 * one or two; at 1,000 mps that was most of the worker's time.
 */
export function claimBudget(
  channels: RoutedChannel[],
  limiter: RateLimiter,
  inFlight: Map<string, number>,
  warm: Set<string>,
): { rows: number; waitMs: number } {
  let rows = 0;
  let waitMs = Number.POSITIVE_INFINITY;
  for (const { channel } of channels) {
    if (!channel.healthy) continue;
    const bucket = mpsBucket(channel.id, channel.mps);
    const room = inFlightCap(channel.mps) - (inFlight.get(channel.id) ?? 0);
    if (room <= 0) continue; // a finished send wakes the worker
    if (!limiter.peek) {
      rows += Math.min(room, bucket.burst);
      continue;
    }
    const worthwhile = Math.min(room, claimStep(channel.mps));
    const held = limiter.peek(bucket);
    if (held === undefined) {
      // Never sent from: the first claim starts the bucket.
      rows += Math.min(room, Math.max(1, bucket.initial));
      continue;
    }
    // The first send is out: the rest wait for its answer (which restarts the bucket then; see DeliveryWorker).
    if (!warm.has(channel.id)) continue;
    const tokens = Math.min(room, Math.floor(held));
    if (tokens >= worthwhile) rows += tokens;
    else waitMs = Math.min(waitMs, Math.ceil(((worthwhile - held) / channel.mps) * 1000));
  }
  return { rows, waitMs };
}
