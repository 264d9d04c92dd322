import { Command } from "commander";
import { loadConfig } from "../config/loadConfig.ts";
import { createLogger } from "../log/createLogger.ts";

/**
 * `parley worker`: background work only (webhook processing, message delivery, workflow runs), no HTTP. On PostgreSQL run as
 * many as you like next to `parley serve`: they share the work through row locks and shared rate buckets.
 */
export function workerCommand(): Command {
  return new Command("worker")
    .description("run the workers without serving HTTP (PostgreSQL: as many as you like next to serve)")
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      if (!config.DATABASE_URL.startsWith("postgres")) {
        log.warn(
          "a separate worker is meant for PostgreSQL; on SQLite `parley serve` already runs the workers",
        );
      }
      // Loaded here, not at the top: one-shot commands (migrate, workspace, apikey) should not pay for the server.
      const { createParley } = await import("../app/createParley.ts");
      // It serves no webhooks, and the webhook spool belongs to the `serve` process: stored deliveries are
      // processed here the one-thread way.
      const parley = await createParley(
        { ...config, PARLEY_SIMULATOR: "off", PARLEY_WEBHOOK_THREAD: "off" },
        log,
      );
      await parley.startWorkers();
      log.info("worker started");
      // The workers' timers don't hold the process open (so tests and `serve` can stop cleanly), and on SQLite
      // there is no LISTEN connection either: without this the worker would exit right after starting.
      const keepAlive = setInterval(() => {}, 1 << 30);
      const stop = async () => {
        clearInterval(keepAlive);
        await parley.close();
        process.exit(0);
      };
      process.on("SIGINT", () => void stop());
      process.on("SIGTERM", () => void stop());
    });
}
