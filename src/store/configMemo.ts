import type { Db, StoreContext } from "./storeContext.ts";
import { txMemo } from "./txMemo.ts";

interface Cache {
  generation: number;
  values: Map<string, Promise<unknown>>;
}

const caches = new WeakMap<StoreContext, Cache>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Rows that every workflow transaction reads and people change rarely (a workspace's settings, its channels,
 * templates and categories), cached by the process across transactions. Each transaction checks, once, the
 * database's config generation (migration 008: triggers bump it on any change to those tables); a different
 * generation empties the cache. So a transaction sees what a fresh read would, at one statement instead of one
 * per row kind. Values are frozen: callers share them. Outside a transaction nothing is kept. Like txMemo, never
 * use it for rows the same transaction changes.
 */
export async function configMemo<T>(
  ctx: StoreContext,
  db: Db,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  if (!db.isTransaction) return load();
  // Read before anything is loaded: a value loaded later is at least as new as the generation it is kept under.
  const generation = await txMemo(db, "config-generation", async () =>
    Number(
      (await db.selectFrom("config_generation").select("n").where("id", "=", 1).executeTakeFirst())?.n ?? 0,
    ),
  );
  let cache = caches.get(ctx);
  if (!cache || cache.generation !== generation) {
    cache = { generation, values: new Map() };
    caches.set(ctx, cache);
  }
  let value = cache.values.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load().then(deepFreeze);
    const values = cache.values;
    value.catch(() => values.delete(key));
    values.set(key, value);
  }
  return value;
}
