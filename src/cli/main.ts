import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ConfigError } from "../config/loadConfig.ts";
import { apikeyCommand } from "./apikeyCommand.ts";
import { migrateCommand } from "./migrateCommand.ts";
import { sandboxCommand } from "./sandboxCommand.ts";
import { serveCommand } from "./serveCommand.ts";
import { simulatorCommand } from "./simulatorCommand.ts";
import { workerCommand } from "./workerCommand.ts";
import { workflowCommand } from "./workflowCommand.ts";
import { workspaceCommand } from "./workspaceCommand.ts";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command()
  .name("parley")
  .description("Parley: WhatsApp conversations that open, run and close.")
  .version(version, "-v, --version")
  .showHelpAfterError()
  .addHelpText(
    "after",
    `
Configuration is environment variables, all listed in README.md: PORT (default 3000), DATABASE_URL (default
sqlite:./data/parley.db), PARLEY_SECRET_KEY, LOG_LEVEL and more. serve, worker, migrate, workspace, apikey and
workflow use DATABASE_URL; sandbox talks to a running server (PARLEY_URL, PARLEY_API_KEY).

Examples:
  parley serve                                         what \`npm start\` runs
  parley workflow apply -f examples/workflows/post-purchase-follow-up.yaml
  parley sandbox say +14155550123 "Hi!" --name Riya    a customer writes to the sandbox number`,
  );

// In the order the README's command table lists them.
program.addCommand(serveCommand());
program.addCommand(workerCommand());
program.addCommand(migrateCommand());
program.addCommand(workspaceCommand());
program.addCommand(apikeyCommand());
program.addCommand(workflowCommand());
program.addCommand(simulatorCommand());
program.addCommand(sandboxCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`parley: ${message}\n`);
  process.exitCode = 1;
}
