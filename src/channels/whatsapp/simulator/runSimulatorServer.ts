import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { Simulator, type SimulatorOptions } from "./Simulator.ts";
import { simulatorPlugin } from "./simulatorPlugin.ts";

/** The simulator as its own process (`parley simulator`, the send benchmark): Graph paths at the root. */
export async function runSimulatorServer(
  opts: { host: string; port: number; log: Logger } & Omit<SimulatorOptions, "log">,
): Promise<{ app: FastifyInstance; sim: Simulator; url: string; close: () => Promise<void> }> {
  const sim = new Simulator({ ...opts, log: opts.log });
  // Per-request logs would cost more than the simulated sends themselves under a benchmark.
  const app = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    bodyLimit: 3 * 1024 * 1024,
    // Through the log controller: the top-level option is deprecated and printed a warning on every start.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.get("/healthz", async () => ({ status: "ok" }));
  await app.register(simulatorPlugin(sim));
  const url = await app.listen({ host: opts.host, port: opts.port });
  return {
    app,
    sim,
    url,
    close: async () => {
      await app.close();
      await sim.close();
    },
  };
}
