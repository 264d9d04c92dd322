import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  MemoryRateLimiter,
  PostgresRateLimiter,
} from "../../../src/channels/whatsapp/delivery/RateLimiter.ts";
import { createDatabase, type Database } from "../../../src/store/createDatabase.ts";
import { migrate } from "../../../src/store/migrate.ts";
import { SecretBox } from "../../../src/store/secretBox.ts";
import { createStoreContext } from "../../../src/store/storeContext.ts";
import { TEST_SECRET } from "../../support/testApp.ts";
import { createTestDatabase, type TestDatabase } from "../../support/testDatabase.ts";

describe("token buckets", () => {
  test("memory: a burst, then the sustained rate", async () => {
    let now = 0;
    const l = new MemoryRateLimiter(() => now);
    const spec = { key: "k", rate: 10, burst: 5 };
    expect((await l.take(spec, 8)).granted).toBe(5);
    const empty = await l.take(spec, 1);
    expect(empty).toEqual({ granted: 0, waitMs: 100 });
    now += 250;
    expect((await l.take(spec, 8)).granted).toBe(2);
  });
});

describe("PostgreSQL token buckets are shared by processes", () => {
  let db: TestDatabase;
  const databases: Database[] = [];
  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    for (let i = 0; i < 2; i++) databases.push(createDatabase(db.url));
    await migrate(databases[0]!.db, "postgres");
  });
  afterAll(async () => {
    for (const d of databases) await d.close();
    await db.drop();
  });

  test("two limiters on separate connection pools never grant more than burst + rate × time together", async () => {
    const limiters = databases.map(
      (d) => new PostgresRateLimiter(createStoreContext(d, new SecretBox(TEST_SECRET))),
    );
    const spec = { key: "mps:shared", rate: 50, burst: 5 };
    const started = Date.now();
    let granted = 0;
    await Promise.all(
      limiters.map(async (l) => {
        while (Date.now() - started < 1000) {
          const r = await l.take(spec, 3);
          granted += r.granted;
          if (r.granted === 0) await new Promise((res) => setTimeout(res, Math.min(r.waitMs, 20)));
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    expect(granted).toBeLessThanOrEqual(Math.ceil(spec.burst + spec.rate * elapsed));
    // And the limit is actually used, not starved: at least 80 % of the sustained rate.
    expect(granted).toBeGreaterThanOrEqual(Math.floor(spec.rate * elapsed * 0.8));
  });
});
