import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { createParley } from "../src/app/createParley.ts";
import { queueWhatsAppMessageIn } from "../src/channels/whatsapp/queueWhatsAppMessage.ts";
import { loadConfig } from "../src/config/loadConfig.ts";
import { channelStore } from "../src/store/channelStore.ts";
import { openIn } from "../src/store/conversations/openConversation.ts";
import { inTransaction } from "../src/store/inTransaction.ts";
import { templateStore } from "../src/store/templateStore.ts";
import { freePort, loadNow, machine, startProcess, writeSection } from "./benchSupport.ts";

// bench:send — N queued template messages delivered by Parley's delivery worker to the WhatsApp simulator
// running as its own process, at a channel mps of 80 and of 1,000. The simulator enforces the same limit
// (130429 over it) and records when it accepted each send.
const N = Number(process.env.BENCH_MESSAGES ?? 10_000);
const RATES = (process.env.BENCH_MPS ?? "80,1000").split(",").map(Number);
const SECRET_KEY = "bench-secret-key-that-is-long-enough-000";
const TEMPLATE = { name: "order_ready", language: "en", text: "Hi {{1}}, your order {{2}} is ready." };

type Stats = {
  numbers: {
    phone_number_id: string;
    accepted: number;
    first_at: number;
    last_at: number;
    max_per_second: number;
  }[];
  errors: Record<string, number>;
};

async function json<T>(url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Creates the channel, template, contacts and N queued messages with Parley's own store code, workers off. */
async function prepare(dir: string, mps: number, simUrl: string, parleyPort: number): Promise<string> {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
    PARLEY_DATA_DIR: dir,
    PARLEY_SECRET_KEY: SECRET_KEY,
    PARLEY_SIMULATOR: "off",
    LOG_LEVEL: "silent",
  });
  const p = await createParley(config, pino({ level: "silent" }));
  const store = p.deps.store;
  const ws = p.bootstrap?.workspaceId;
  if (!ws) throw new Error("expected a fresh database");
  const number = { phoneNumberId: `1098765${mps}`.padEnd(15, "0"), wabaId: `2098765${mps}`.padEnd(15, "0") };
  const channel = await channelStore.create(store, ws, {
    name: `Bench ${mps}`,
    ...number,
    displayPhoneNumber: "+1 555 010 0000",
    accessToken: "bench-access-token",
    appSecret: "bench-app-secret",
    verifyToken: "bench-verify-token",
    graphBaseUrl: simUrl,
    mps,
  });
  const components = [{ type: "BODY", text: TEMPLATE.text }];
  await templateStore.upsert(store, ws, channel.id, {
    ...TEMPLATE,
    category: "UTILITY",
    status: "APPROVED",
    components,
    source: "manual",
  });
  await json(`${simUrl}/_sim/numbers`, {
    phone_number_id: number.phoneNumberId,
    waba_id: number.wabaId,
    display_phone_number: "+1 555 010 0000",
    access_token: "bench-access-token",
    app_secret: "bench-app-secret",
    webhook_url: `http://127.0.0.1:${parleyPort}/webhooks/whatsapp`,
    mps,
  });
  await json(`${simUrl}/_sim/templates`, {
    waba_id: number.wabaId,
    name: TEMPLATE.name,
    language: TEMPLATE.language,
    category: "UTILITY",
    components,
  });
  const now = Date.now();
  for (let start = 0; start < N; start += 500) {
    await inTransaction(store, async (tx) => {
      for (let i = start; i < Math.min(N, start + 500); i++) {
        const contactId = `bench-contact-${i}`;
        await tx
          .insertInto("contacts")
          .values({
            id: contactId,
            workspace_id: ws,
            phone: `+1415${String(5_000_000 + i)}`,
            wa_id: `1415${String(5_000_000 + i)}`,
            name: `Customer ${i}`,
            fields: "{}",
            tags: "[]",
            opted_out: 0,
            marketing_opt_out: 0,
            timezone: null,
            last_inbound_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        const opened = await openIn(store, tx, ws, {
          contactId,
          channelId: channel.id,
          by: { type: "api", id: null },
        });
        if (!opened) throw new Error("open failed");
        await queueWhatsAppMessageIn(store, tx, ws, opened.id, {
          message: {
            template: { name: TEMPLATE.name, language: TEMPLATE.language, body: [`Customer ${i}`, `#${i}`] },
          },
          author: { type: "bot", id: null },
          by: { type: "api", id: null },
        });
      }
    });
  }
  await p.close();
  return number.phoneNumberId;
}

async function runAt(mps: number, simUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-send-"));
  try {
    const port = await freePort();
    const phoneNumberId = await prepare(dir, mps, simUrl, port);
    await json(`${simUrl}/_sim/stats/reset`, {});
    const parley = await startProcess(
      ["serve"],
      {
        DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
        PARLEY_DATA_DIR: dir,
        PARLEY_SECRET_KEY: SECRET_KEY,
        PARLEY_SIMULATOR: "off",
        LOG_LEVEL: "warn",
        PORT: String(port),
        HOST: "127.0.0.1",
      },
      port,
      "/healthz",
      process.env.BENCH_PROFILE_PARLEY ? ["--cpu-prof", "--cpu-prof-dir=.tmp/parley-profile"] : [],
    );
    let stats: Stats;
    let last = -1;
    let stalledSince = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      stats = await json<Stats>(`${simUrl}/_sim/stats`);
      const accepted = stats.numbers.find((n) => n.phone_number_id === phoneNumberId)?.accepted ?? 0;
      if (accepted >= N) break;
      if (accepted !== last) {
        last = accepted;
        stalledSince = Date.now();
      } else if (Date.now() - stalledSince > 30_000) break;
    }
    // The status webhooks (sent, delivered) trail the sends: give Parley up to a minute to take them all in, so
    // the final statuses say whether ingestion kept up or caught up, and how long after the last send.
    const lastSendAt = Date.now();
    const watch = new Database(join(dir, "parley.db"), { readonly: true });
    const unsettled = () =>
      Number(
        (
          watch
            .prepare("select count(*) n from messages where status in ('queued', 'sending', 'sent')")
            .get() as { n: number }
        ).n,
      );
    while (unsettled() > 0 && Date.now() - lastSendAt < 60_000) await new Promise((r) => setTimeout(r, 250));
    const settleSeconds = (Date.now() - lastSendAt) / 1000;
    watch.close();
    await parley.stop();
    const db = new Database(join(dir, "parley.db"), { readonly: true });
    const byStatus = Object.fromEntries(
      (
        db.prepare("select status, count(*) n from messages group by status").all() as {
          status: string;
          n: number;
        }[]
      ).map((r) => [r.status, r.n]),
    );
    db.close();
    const n = stats.numbers.find((x) => x.phone_number_id === phoneNumberId);
    const seconds = n ? (n.last_at - n.first_at) / 1000 : 0;
    // The first `burst` sends go out at once; the rate is measured over the sends after the first second.
    const rate = n && seconds > 0 ? (n.accepted - 1) / seconds : 0;
    return { mps, n, rate, seconds, errors: stats.errors, byStatus, settleSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const simPort = await freePort();
const sim = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_PROFILE_SIMULATOR ? ["--cpu-prof", "--cpu-prof-dir=.tmp/simulator-profile"] : []),
    "bin/parley.js",
    "simulator",
    "--port",
    String(simPort),
    "--read-ms",
    "0",
  ],
  {
    stdio: "ignore",
    env: { ...process.env, LOG_LEVEL: "warn" },
  },
);
try {
  const simUrl = `http://127.0.0.1:${simPort}`;
  for (let t = 0; t < 100; t++) {
    if (
      await fetch(`${simUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const results = [];
  const loadAtStart = loadNow();
  for (const mps of RATES) {
    process.stdout.write(
      `mps ${mps}: load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );
    const load = loadNow();
    const r = { ...(await runAt(mps, simUrl)), load };
    results.push(r);
    process.stdout.write(`mps ${mps}: ${JSON.stringify(r)}\n`);
  }
  const rows = results.map((r) => {
    const dev = ((r.rate - r.mps) / r.mps) * 100;
    return `| ${r.mps.toLocaleString("en")} | ${(r.n?.accepted ?? 0).toLocaleString("en")} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(1)} | ${dev >= 0 ? "+" : ""}${dev.toFixed(2)} % | ${r.n?.max_per_second ?? 0} | ${r.errors["130429"] ?? 0} | ${r.errors["131056"] ?? 0} | ${JSON.stringify(r.byStatus)} | ${r.settleSeconds.toFixed(1)} | ${r.load.toFixed(2)} |`;
  });
  const md = `## bench:send

Command: \`npm run bench:send\` · ${new Date().toISOString().slice(0, 10)} · ${machine(loadAtStart)}
Settings: ${N.toLocaleString("en")} queued template messages per run to ${N.toLocaleString("en")} distinct contacts, Parley (\`parley serve\`, SQLite) and the simulator (\`parley simulator\`) as separate processes on loopback; the simulator enforces the channel's mps with a one-second bucket (130429 over it) and the pair rate (131056).

| channel mps | sends accepted | seconds (first → last) | measured rate /s | vs limit | busiest 1 s window | 130429 | 131056 | final statuses in Parley | statuses settled after last send, s | load (1 min) at its start |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

The measured rate is (accepted − 1) / (last − first accepted send), as the simulator timed them. The busiest
1 s window is counted at the simulator, so the run's own scheduling delays on the shared machine show in it;
the simulator's bucket (one second's worth) is what answers 130429. Final statuses are read once every
message is past \`sent\` (phones don't read in this run) or a minute after the last send, whichever comes first.
`;
  writeSection("bench-send", md);
  process.stdout.write(`${md}\n`);
} finally {
  sim.kill();
}
