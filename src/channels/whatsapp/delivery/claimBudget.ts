import type { RoutedChannel } from "../ingest/ChannelDirectory.ts";
import type { RateLimiter } from "./RateLimiter.ts";

/**
 * A number's send bucket: its mps, with a burst of a twentieth of a second's worth. It starts empty: a process
 * that just started can't know what the previous one sent in its last moments, and over a run the number's rate
 * is then never exceeded, not even by the first burst.
 */
export function mpsBucket(channelId: string, mps: number) {
  return { key: `mps:${channelId}`, rate: mps, burst: Math.max(1, Math.ceil(mps / 20)), initial: 0 };
}

/** Sends in flight per number: half a second's worth, so requests held up on the way can't burst past the rate. */
export function inFlightCap(mps: number): number {
  return Math.max(4, Math.ceil(mps / 2));
}

/**
 * How many queued rows a claim should read now, from the tokens the numbers' buckets hold (without taking them):
 * `rows: 0` with `waitMs` when no number has enough for a worthwhile claim yet (half its burst, or what its
 * in-flight cap leaves), null when the limiter can't tell (PostgreSQL: the buckets are rows). A claim after every
 * finished send read hundreds of rows to send one or two; at 1,000 mps that was most of the worker's time.
 */
export function claimBudget(
  channels: RoutedChannel[],
  limiter: RateLimiter,
  inFlight: Map<string, number>,
): { rows: number; waitMs: number } | null {
  if (!limiter.peek) return null;
  let rows = 0;
  let waitMs = Number.POSITIVE_INFINITY;
  for (const { channel } of channels) {
    if (!channel.healthy) continue;
    const bucket = mpsBucket(channel.id, channel.mps);
    const room = inFlightCap(channel.mps) - (inFlight.get(channel.id) ?? 0);
    if (room <= 0) continue; // a finished send wakes the worker
    const worthwhile = Math.min(room, Math.max(1, Math.floor(bucket.burst / 2)));
    const tokens = Math.min(room, Math.floor(limiter.peek(bucket)));
    if (tokens >= worthwhile) rows += tokens;
    else waitMs = Math.min(waitMs, Math.ceil(((worthwhile - tokens) / channel.mps) * 1000));
  }
  return { rows, waitMs };
}
