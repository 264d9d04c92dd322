import { sql } from "kysely";
import type { StoreContext } from "../../../store/storeContext.ts";

export interface BucketSpec {
  key: string;
  /** Tokens added per second. */
  rate: number;
  /** Bucket size: how many may go at once after a quiet spell. */
  burst: number;
  /** Tokens in a bucket seen for the first time (default: a full bucket). */
  initial?: number;
}

/**
 * Token buckets. `take` grants up to `want` tokens now; when it grants fewer, `waitMs` says how long until the
 * next token (0 when everything asked for was granted).
 */
export interface RateLimiter {
  take(spec: BucketSpec, want: number): Promise<{ granted: number; waitMs: number }>;
  /**
   * Tokens the bucket holds now, without taking any; only where that is cheap to know (in memory). Undefined for
   * a bucket nobody has taken from yet: it starts (with `initial` tokens) at its first take.
   */
  peek?(spec: BucketSpec): number | undefined;
  /** Empties the bucket and starts it again from now (in memory only). */
  restart?(spec: BucketSpec): void;
}

function refill(tokens: number, updatedAt: number, now: number, spec: BucketSpec): number {
  return Math.min(spec.burst, tokens + ((now - updatedAt) / 1000) * spec.rate);
}

/** One process (the SQLite default): buckets in memory. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.timeOrigin + performance.now()) {
    this.#now = now;
  }

  peek(spec: BucketSpec): number | undefined {
    const b = this.#buckets.get(spec.key);
    return b ? refill(b.tokens, b.at, this.#now(), spec) : undefined;
  }

  restart(spec: BucketSpec): void {
    this.#buckets.set(spec.key, { tokens: 0, at: this.#now() });
  }

  async take(spec: BucketSpec, want: number) {
    const now = this.#now();
    const b = this.#buckets.get(spec.key) ?? { tokens: spec.initial ?? spec.burst, at: now };
    const tokens = refill(b.tokens, b.at, now, spec);
    const granted = Math.max(0, Math.min(want, Math.floor(tokens)));
    this.#buckets.set(spec.key, { tokens: tokens - granted, at: now });
    const waitMs = granted >= want ? 0 : Math.ceil(((1 - (tokens - granted)) / spec.rate) * 1000);
    return { granted, waitMs };
  }
}

/**
 * Many worker processes (PostgreSQL): the bucket lives in a row and is refilled and debited in one UPDATE,
 * so every process shares one limit per number and per recipient.
 */
export class PostgresRateLimiter implements RateLimiter {
  readonly #store: StoreContext;
  /** Buckets known to have a row (rows are only ever added; a missing one is simply made again). */
  readonly #seen = new Set<string>();

  constructor(store: StoreContext) {
    this.#store = store;
  }

  async take(spec: BucketSpec, want: number) {
    const now = Date.now();
    // A bucket this process has seen is debited at once; one it hasn't (a new recipient) is made first if missing.
    let r = this.#seen.has(spec.key) ? await this.#debit(spec, want, now) : undefined;
    if (!r) {
      await this.#store.db
        .insertInto("rate_buckets")
        .values({ key: spec.key, tokens: spec.initial ?? spec.burst, updated_at: now })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      r = await this.#debit(spec, want, now);
      if (this.#seen.size >= 100_000) this.#seen.clear();
      this.#seen.add(spec.key);
    }
    const granted = Math.max(0, Number(r?.granted ?? 0));
    const left = Number(r?.tokens ?? 0);
    return { granted, waitMs: granted >= want ? 0 : Math.ceil(((1 - left) / spec.rate) * 1000) };
  }

  /** Refills and debits the bucket in one UPDATE; undefined when it has no row yet. */
  async #debit(spec: BucketSpec, want: number, now: number) {
    const row = await sql<{ granted: number; tokens: number }>`
      with cur as (
        select key, least(${spec.burst}::float8, tokens + greatest(0, ${now}::bigint - updated_at) / 1000.0 * ${spec.rate}::float8) as t
        from rate_buckets where key = ${spec.key} for update
      ), g as (select key, t, least(${want}::int, floor(t)::int) as granted from cur)
      update rate_buckets r set tokens = g.t - g.granted, updated_at = greatest(r.updated_at, ${now}::bigint)
      from g where r.key = g.key
      returning g.granted as granted, g.t - g.granted as tokens`.execute(this.#store.db);
    return row.rows[0];
  }
}
