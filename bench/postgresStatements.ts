import pg from "pg";

/** Server flags that make PostgreSQL count every statement (BENCH_PG_STATS=1). */
export const statementStatsFlags = [
  "-c",
  "shared_preload_libraries=pg_stat_statements",
  "-c",
  "pg_stat_statements.track_planning=on",
];

/**
 * Prints what PostgreSQL ran during a benchmark: statements per run, the most frequent statements, and the tables
 * read by sequential scan. A diagnostic for finding round trips to save, not part of the results table.
 */
export async function printStatementStats(url: string, runs: number): Promise<void> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query("create extension if not exists pg_stat_statements");
    const total = await c.query<{ calls: string; ms: number; plan: number }>(
      "select sum(calls) as calls, sum(total_exec_time) as ms, sum(total_plan_time) as plan from pg_stat_statements",
    );
    const calls = Number(total.rows[0]?.calls ?? 0);
    const ms = Number(total.rows[0]?.ms ?? 0);
    const plan = Number(total.rows[0]?.plan ?? 0);
    process.stdout.write(
      `PostgreSQL statements: ${calls} (${(calls / runs).toFixed(1)} per run), ${Math.round(ms)} ms executing and ${Math.round(plan)} ms planning (${((ms + plan) / runs).toFixed(2)} ms per run)\n`,
    );
    const top = await c.query<{ calls: string; ms: string; rows: string; q: string }>(
      `select calls, round(total_exec_time::numeric, 1) as ms, rows,
        left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as q
       from pg_stat_statements order by calls desc limit 40`,
    );
    for (const r of top.rows) process.stdout.write(`  ${r.calls}\t${r.ms} ms\t${r.rows} rows\t${r.q}\n`);
    const scans = await c.query<{ relname: string; seq_scan: string; seq_tup_read: string }>(
      "select relname, seq_scan, seq_tup_read from pg_stat_user_tables where seq_tup_read > 0 order by seq_tup_read desc limit 10",
    );
    for (const r of scans.rows)
      process.stdout.write(`  seq scans of ${r.relname}: ${r.seq_scan}, rows read ${r.seq_tup_read}\n`);
  } finally {
    await c.end();
  }
}
