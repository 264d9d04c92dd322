/**
 * Counts failed sign-ins in a sliding window, per address and per (address, email), so a guesser is slowed
 * on one account and across many. In memory: each server process limits on its own, which bounds a guesser
 * to N × the limit with N processes — acceptable for the few processes Parley runs.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly opts = { windowMs: 15 * 60_000, perAccount: 10, perAddress: 50 },
  ) {}

  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterMs(ip: string, email: string): number {
    const account = this.recent(`${ip}|${email}`);
    const address = this.recent(ip);
    const wait = (list: number[], max: number) =>
      list.length >= max ? list[list.length - max]! + this.opts.windowMs - this.now() : 0;
    return Math.max(wait(account, this.opts.perAccount), wait(address, this.opts.perAddress), 0);
  }

  fail(ip: string, email: string): void {
    for (const key of [`${ip}|${email}`, ip]) this.failures.set(key, [...this.recent(key), this.now()]);
    // Bound memory under a spray of distinct addresses: forget the oldest keys.
    if (this.failures.size > 50_000) {
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
  }

  succeed(ip: string, email: string): void {
    this.failures.delete(`${ip}|${email}`);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.opts.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}
