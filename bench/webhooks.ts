import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { signWebhookBody } from "../src/channels/whatsapp/webhook/verifyWebhookSignature.ts";
import {
  cpuSeconds,
  freePort,
  loadNow,
  machine,
  startProcess,
  threadCpuSeconds,
  writeSection,
} from "./benchSupport.ts";
import { type HttpLoadResult, httpLoad } from "./httpLoad.ts";

// bench:webhooks — signed inbound text-message webhooks over real HTTP on loopback, each verified, persisted and
// attached to a conversation, against the same run's ceiling: a bare Fastify route that only checks the HMAC.
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const CLIENT = process.env.BENCH_CLIENT ?? "httpLoad";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 2000);
const APP_SECRET = "bench-app-secret";
const PHONE_NUMBER_ID = "109876543210001";

/**
 * The server's CPU over the run by thread: its main thread (HTTP, signatures, the spool), the busiest other one
 * (the webhook thread, storing and processing), and all the rest together (WAL checkpoints, garbage collection,
 * libuv's pool), in seconds.
 */
function byThread(pid: number | undefined, before: Map<number, number>, after: Map<number, number>) {
  const used = [...after].map(([tid, cpu]) => [tid, cpu - (before.get(tid) ?? 0)] as const);
  const main = used.find(([tid]) => tid === pid)?.[1] ?? Number.NaN;
  const others = used.filter(([tid]) => tid !== pid).sort((a, b) => b[1] - a[1]);
  const busiest = others[0]?.[1] ?? 0;
  const rest = others.slice(1).reduce((sum, [, cpu]) => sum + cpu, 0);
  return { main, busiest, rest };
}

function makeBody(i: number): string {
  const wa = String(14155500000 + (i % CUSTOMERS));
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: `Customer ${i % CUSTOMERS}` }, wa_id: wa }],
              messages: [
                {
                  from: wa,
                  id: `wamid.bench.${process.pid}.${i}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: "text",
                  text: { body: `hello ${i}` },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

/**
 * The load: CONNECTIONS keep-alive connections, each sending its next signed delivery as soon as the last is
 * answered, for DURATION seconds. BENCH_CLIENT=autocannon uses autocannon instead of the lighter httpLoad (for
 * comparison; it takes several times the CPU per request on the same cores).
 */
async function load(port: number): Promise<HttpLoadResult> {
  const path = "/webhooks/whatsapp";
  const request = (i: number) => {
    const body = makeBody(i);
    return { body, headers: { "x-hub-signature-256": signWebhookBody(body, APP_SECRET) } };
  };
  if (CLIENT !== "autocannon")
    return httpLoad({ port, path, connections: CONNECTIONS, durationS: DURATION, request });
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: "POST",
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        setupRequest: (req) => {
          const { body, headers } = request(i++);
          return { ...req, body, headers: { ...headers, "content-type": "application/json" } };
        },
      },
    ],
  });
  return {
    total: r.requests.total,
    non2xx: r.non2xx,
    seconds: r.duration,
    perSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
const dbFile = join(dir, "parley.db");
try {
  // 1. The ceiling.
  const loadAtStart = loadNow();
  process.stdout.write(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  const barePort = await freePort();
  const bare = spawn(
    process.execPath,
    ["--import", "tsx", "bench/bareHmacServer.ts", String(barePort), APP_SECRET],
    { stdio: "ignore" },
  );
  for (let t = 0; t < 100; t++) {
    try {
      if ((await fetch(`http://127.0.0.1:${barePort}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const bareCpu0 = cpuSeconds(bare.pid);
  const clientCpu = (since: NodeJS.CpuUsage, requests: number) => {
    const used = process.cpuUsage(since);
    return requests > 0 ? ((used.user + used.system) / requests).toFixed(0) : "–";
  };
  const bareClient0 = process.cpuUsage();
  const ceiling = await load(barePort);
  const bareClient = clientCpu(bareClient0, ceiling.total);
  const bareCpu = cpuSeconds(bare.pid) - bareCpu0;
  bare.kill();

  // 2. Parley on its SQLite default.
  const port = await freePort();
  const parley = await startProcess(
    ["serve"],
    {
      DATABASE_URL: `sqlite:${dbFile}`,
      PARLEY_DATA_DIR: dir,
      PARLEY_SECRET_KEY: "bench-secret-key-that-is-long-enough-000",
      PARLEY_SIMULATOR: "off",
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
    },
    port,
    "/healthz",
    // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
    (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
  );
  const key = /PARLEY_API_KEY=(\S+)/.exec(parley.output())?.[1];
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/channels`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "Bench",
      phone_number_id: PHONE_NUMBER_ID,
      display_phone_number: "+1 555 078 3881",
      waba_id: "102290129340398",
      access_token: "bench-access-token",
      app_secret: APP_SECRET,
      verify_token: "bench-verify-token",
    }),
  });
  if (res.status !== 201) throw new Error(`could not create channel: ${res.status} ${await res.text()}`);
  const started = Date.now();
  const parleyCpu0 = cpuSeconds(parley.child.pid);
  const threadCpu0 = threadCpuSeconds(parley.child.pid);
  const parleyClient0 = process.cpuUsage();
  const result = await load(port);
  const parleyClient = clientCpu(parleyClient0, result.total);
  // Wait until every accepted delivery is stored (from the webhook spool, on the webhook thread) and processed
  // into messages: every body is unique, so each accepted delivery is one row.
  const accepted = result.total - result.non2xx;
  const db = new Database(dbFile, { readonly: true });
  const waiting = () =>
    db
      .prepare(
        "select count(*) n, coalesce(sum(case when processed_at is null then 1 else 0 end), 0) pending from webhook_deliveries",
      )
      .get() as { n: number; pending: number };
  for (let w = waiting(); w.n < accepted || w.pending > 0; w = waiting()) {
    if (Date.now() - started > (DURATION + 300) * 1000) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const stats = db
    .prepare("select count(*) n, min(received_at) first, max(processed_at) last from webhook_deliveries")
    .get() as { n: number; first: number; last: number };
  const messages = Number(
    (db.prepare("select count(*) n from messages where direction = 'inbound'").get() as { n: number }).n,
  );
  const conversations = Number((db.prepare("select count(*) n from conversations").get() as { n: number }).n);
  db.close();
  const parleyCpu = cpuSeconds(parley.child.pid) - parleyCpu0;
  const threads = byThread(parley.child.pid, threadCpu0, threadCpuSeconds(parley.child.pid));
  await parley.stop();

  const processedRate = stats.n / Math.max(0.001, (stats.last - stats.first) / 1000);
  const perDelivery = (cpu: number, n: number) => (n > 0 ? ((cpu / n) * 1e6).toFixed(0) : "–");
  const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
  const row = (name: string, r: HttpLoadResult, cpu: string) =>
    `| ${name} | ${Math.round(r.perSecond).toLocaleString("en")} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${cpu} |`;
  const md = `## bench:webhooks

Command: \`npm run bench:webhooks\` · ${new Date().toISOString().slice(0, 10)} · ${machine(loadAtStart)}
Settings: ${DURATION} s per target, ${CONNECTIONS} connections, each sending its next request as soon as the last is answered, ${CUSTOMERS} distinct customers, unique message ids, SQLite default (WAL; webhooks answered once in the webhook spool, stored and processed on the webhook thread), server in its own process, load generator (${CLIENT === "autocannon" ? "autocannon" : "httpLoad, bench/httpLoad.ts"}) in another.

| target | accepted req/s (mean) | p50 ms | p99 ms | non-2xx | server CPU µs per delivery |
|---|---|---|---|---|---|
${row("bare Fastify + HMAC check (ceiling)", ceiling, perDelivery(bareCpu, ceiling.total))}
${row("Parley: verify + persist + 200", result, perDelivery(parleyCpu, stats.n))}

- Ratio Parley / ceiling (accepted req/s): **${(result.perSecond / ceiling.perSecond).toFixed(2)}**
- Deliveries accepted: ${accepted.toLocaleString("en")}; stored: ${stats.n.toLocaleString("en")}; inbound messages attached to conversations: ${messages.toLocaleString("en")} in ${conversations.toLocaleString("en")} conversations.
- Server CPU per delivery: the server process's user + system CPU time over the run (for Parley up to the last
  delivery attached to its conversation, so processing included) divided by the deliveries; it depends much less
  on what else the shared machine is doing than the rates do. By thread, per delivery: main thread (HTTP,
  signatures, spool) ${perDelivery(threads.main, stats.n)} µs, webhook thread (storing and processing) ${perDelivery(threads.busiest, stats.n)} µs, all others
  (WAL checkpoints, garbage collection) ${perDelivery(threads.rest, stats.n)} µs.
- The load generator (${CLIENT === "autocannon" ? "autocannon" : "httpLoad"}, building and signing each body as it sends it) shares the machine: ${bareClient} µs of its CPU per
  request against the ceiling, ${parleyClient} µs against Parley.
- Sustained end-to-end rate (first delivery received → last one attached to its conversation): **${Math.round(processedRate).toLocaleString("en")} deliveries/s**.
`;
  writeSection("bench-webhooks", md);
  process.stdout.write(`${md}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
