/**
 * Database errors that mean "try again", not "this step is wrong": SQLite's busy/locked (another process holds
 * the write lock, or our snapshot went stale), PostgreSQL's serialization failure, deadlock and lock timeout.
 */
export function isTransientDbError(err: unknown): boolean {
  if (!err || typeof err !== "object" || !("code" in err)) return false;
  const code = String((err as { code: unknown }).code);
  return (
    code.startsWith("SQLITE_BUSY") ||
    code.startsWith("SQLITE_LOCKED") ||
    ["40001", "40P01", "55P03"].includes(code)
  );
}
