import { createHash } from "node:crypto";
import type { StoreContext } from "../store/storeContext.ts";

export interface LoginLimits {
  windowMs: number;
  /** Failures allowed per (address, email) in the window. */
  perAccount: number;
  /** Failures allowed per address (across emails) in the window. */
  perAddress: number;
  /**
   * Failures allowed per email across all addresses: caps a guesser who rotates addresses (or forges
   * X-Forwarded-For from a trusted proxy, see PARLEY_TRUST_PROXY) at the price of locking that email for the window.
   */
  perEmail: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  windowMs: 15 * 60_000,
  perAccount: 10,
  perAddress: 50,
  perEmail: 30,
};

const accountKey = (ip: string, email: string) =>
  `u:${createHash("sha256").update(`${ip}|${email}`).digest("base64url")}`;
const addressKey = (ip: string) => `a:${ip}`;
const emailKey = (email: string) => `e:${createHash("sha256").update(email).digest("base64url")}`;

/**
 * Counts failed sign-ins in a sliding window, per address, per (address, email) and per email, so a guesser is
 * slowed on one account and across many. The failures are rows in `login_failures`, so the limit holds across every
 * API process that shares the database (several `serve` processes on PostgreSQL). Emails are stored only as
 * a hash with the address. Expired rows are swept as new failures come in.
 */
export class LoginLimiter {
  constructor(
    private readonly store: StoreContext,
    private readonly opts: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  async retryAfterMs(ip: string, email: string): Promise<number> {
    const now = this.store.now();
    const waits = await Promise.all([
      this.wait(accountKey(ip, email), this.opts.perAccount, now),
      this.wait(addressKey(ip), this.opts.perAddress, now),
      this.wait(emailKey(email), this.opts.perEmail, now),
    ]);
    return Math.max(0, ...waits);
  }

  async fail(ip: string, email: string): Promise<void> {
    const now = this.store.now();
    await this.store.db
      .insertInto("login_failures")
      .values([
        { key: accountKey(ip, email), at: now },
        { key: addressKey(ip), at: now },
        { key: emailKey(email), at: now },
      ])
      .execute();
    await this.store.db
      .deleteFrom("login_failures")
      .where("at", "<=", now - this.opts.windowMs)
      .execute();
  }

  async succeed(ip: string, email: string): Promise<void> {
    await this.store.db.deleteFrom("login_failures").where("key", "=", accountKey(ip, email)).execute();
  }

  /** With `max` failures in the window, the wait until the oldest of the newest `max` leaves it. */
  private async wait(key: string, max: number, now: number): Promise<number> {
    const row = await this.store.db
      .selectFrom("login_failures")
      .select("at")
      .where("key", "=", key)
      .where("at", ">", now - this.opts.windowMs)
      .orderBy("at", "desc")
      .limit(1)
      .offset(max - 1)
      .executeTakeFirst();
    return row ? Number(row.at) + this.opts.windowMs - now : 0;
  }
}
