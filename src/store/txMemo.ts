const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Reads that cannot change inside one transaction of the caller's own (configMemo's check of the config
 * generation) are made once per transaction. The workflow runner drives many runs in one transaction, so each of
 * these is read once per batch instead of once per step. Outside a transaction (`db` is the pool) nothing is
 * kept. Never memoize rows the same transaction may write.
 */
export function txMemo<T>(db: { isTransaction: boolean }, key: string, load: () => Promise<T>): Promise<T> {
  if (!db.isTransaction) return load();
  let m = memos.get(db);
  if (!m) {
    m = new Map();
    memos.set(db, m);
  }
  let p = m.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    const memo = m;
    p.catch(() => memo.delete(key));
    m.set(key, p);
  }
  return p;
}
