import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { problem, sendProblem } from "../problem.ts";

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** `GET /metrics` in Prometheus text format; behind a bearer token when one is configured. */
export function metricsRoute(app: FastifyInstance, registry: Registry, token: string | undefined) {
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["Health"],
        summary: "Prometheus metrics",
        description:
          "Prometheus text format: request latency by route pattern, process metrics and backlog gauges read from the database. Open unless `PARLEY_METRICS_TOKEN` is set; then send `Authorization: Bearer <PARLEY_METRICS_TOKEN>` (not an API key).",
        security: [],
      },
    },
    async (req, reply) => {
      if (token && !same(req.headers.authorization ?? "", `Bearer ${token}`))
        return sendProblem(
          reply,
          problem(401, "unauthorized", "GET /metrics needs Authorization: Bearer <PARLEY_METRICS_TOKEN>"),
        );
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}
