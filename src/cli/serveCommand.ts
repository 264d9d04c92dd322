import { Command } from "commander";
import { loadConfig } from "../config/loadConfig.ts";
import { createLogger } from "../log/createLogger.ts";

/** `parley serve`: migrates, then serves the API (and, by default, the built-in simulator) until stopped. */
export function serveCommand(): Command {
  return new Command("serve")
    .description("migrate, then serve HTTP (API, web app, simulator) and run the workers")
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      // Loaded here, not at the top: one-shot commands (migrate, workspace, apikey) should not pay for the server.
      const { createParley } = await import("../app/createParley.ts");
      const parley = await createParley(config, log, { webApp: true });
      if (parley.bootstrap) {
        process.stdout.write(
          [
            "",
            "  First start: created the default workspace and an admin API key.",
            "  It is shown only this once; keep it somewhere safe:",
            "",
            `    PARLEY_API_KEY=${parley.bootstrap.apiKey}`,
            "",
            "",
          ].join("\n"),
        );
      }
      const address = await parley.server.listen({ port: config.PORT, host: config.HOST });
      const port = parley.server.addresses().find((a) => typeof a === "object")?.port ?? config.PORT;
      parley.sandbox?.setLocalUrl(`http://127.0.0.1:${port}`);
      await parley.startWorkers();
      log.info({ address, database: config.DATABASE_URL.split(":")[0] }, `Parley is listening on ${address}`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, "shutting down");
        await parley.close();
        process.exit(0);
      };
      process.on("SIGINT", () => void stop("SIGINT"));
      process.on("SIGTERM", () => void stop("SIGTERM"));
    });
}
