import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { StoreContext } from "../store/storeContext.ts";

/**
 * Prometheus metrics for one server: process defaults, request latency by route, and backlog gauges read from
 * the database at scrape time. The gauges are database-wide (every process sharing a PostgreSQL database reports
 * the same values), so a dashboard takes their max across instances, not their sum.
 */
export function collectMetrics(
  app: FastifyInstance,
  store: StoreContext,
  webhookBacklog: () => number = () => 0,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "parley_" });

  const latency = new Histogram({
    name: "parley_http_request_duration_seconds",
    help: "HTTP request duration by method, route pattern and status code",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook("onResponse", async (req, reply) => {
    // The route pattern, never the raw URL: ids in paths would make one series per conversation.
    const route = req.routeOptions.url ?? "unmatched";
    latency.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const db = store.db;
  const now = () => store.now();
  const gauge = (name: string, help: string, read: (g: Gauge) => Promise<void>, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await read(this);
      },
    });
  const ageSeconds = (oldest: unknown) => (oldest == null ? 0 : Math.max(0, (now() - Number(oldest)) / 1000));

  // Each query below is served by a partial index (queued messages, pending deliveries, active runs, open
  // conversations), so a scrape stays cheap however large the history grows.
  const counts: [name: string, help: string, table: string, where: string][] = [
    [
      "parley_outbound_queued",
      "Outbound messages waiting for the delivery worker",
      "messages",
      "status = 'queued'",
    ],
    [
      "parley_webhook_deliveries_pending",
      "WhatsApp webhook deliveries stored but not yet processed",
      "webhook_deliveries",
      "processed_at is null",
    ],
    ["parley_conversations_open", "Conversations currently open", "conversations", "status = 'open'"],
    [
      "parley_channels_unhealthy",
      "Channels that stopped sending (e.g. Meta refused the token)",
      "channels",
      "healthy = 0",
    ],
  ];
  for (const [name, help, table, where] of counts)
    gauge(name, help, async (g) => {
      // Constant table names and conditions from the list above, never input.
      const r = await sql<{
        n: number;
      }>`select count(*) as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(db);
      g.set(Number(r.rows[0]?.n ?? 0));
    });
  gauge(
    "parley_webhook_spool_backlog",
    "WhatsApp webhook deliveries answered 200 and kept in the spool, not yet stored in the database (this process)",
    async (g) => g.set(webhookBacklog()),
  );
  gauge(
    "parley_webhook_oldest_pending_age_seconds",
    "Age of the oldest unprocessed webhook delivery",
    async (g) => {
      const r = await db
        .selectFrom("webhook_deliveries")
        .select("received_at")
        .where("processed_at", "is", null)
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      g.set(ageSeconds(r?.received_at));
    },
  );
  gauge(
    "parley_workflow_runs_active",
    "Workflow runs not yet finished, by status",
    async (g) => {
      const rows = await db
        .selectFrom("workflow_runs")
        .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
        .where("status", "in", ["running", "waiting"])
        .groupBy("status")
        .execute();
      for (const status of ["running", "waiting"])
        g.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
    },
    ["status"],
  );
  return registry;
}
