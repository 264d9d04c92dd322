import { Command, InvalidArgumentError } from "commander";
import { createLogger } from "../log/createLogger.ts";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number");
  return n;
}

/**
 * `parley simulator`: the built-in WhatsApp Cloud API simulator as its own process (Graph paths at the root,
 * admin under `/_sim`). `parley serve` already mounts one at /simulator; this one is for the send benchmark and
 * for testing a Parley that runs elsewhere.
 */
export function simulatorCommand(): Command {
  return new Command("simulator")
    .description("run the WhatsApp Cloud API simulator on its own")
    .option("--port <port>", "port to listen on", port, 4100)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--state <file>", "keep numbers, templates and chats in this JSON file")
    .option("--sent-ms <ms>", "delay of the `sent` status webhook", port, 50)
    .option("--delivered-ms <ms>", "delay of the `delivered` status webhook", port, 300)
    .option("--read-ms <ms>", "delay of the `read` status webhook (0: phones never read)", port, 1200)
    .action(
      async (o: {
        port: number;
        host: string;
        state?: string;
        sentMs: number;
        deliveredMs: number;
        readMs: number;
      }) => {
        const level = process.env.LOG_LEVEL ?? "info";
        const log = createLogger(
          ["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(level)
            ? (level as "info")
            : "info",
        );
        const { runSimulatorServer } = await import("../channels/whatsapp/simulator/runSimulatorServer.ts");
        const server = await runSimulatorServer({
          host: o.host,
          port: o.port,
          log,
          persistFile: o.state,
          delays: { sentMs: o.sentMs, deliveredMs: o.deliveredMs, readMs: o.readMs === 0 ? null : o.readMs },
        });
        log.info({ url: server.url }, "WhatsApp simulator listening (Graph API at the root, admin at /_sim)");
        const stop = async () => {
          await server.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop());
        process.on("SIGTERM", () => void stop());
      },
    );
}
