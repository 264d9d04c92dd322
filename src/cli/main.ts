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

const program = new Command()
  .name("parley")
  .description("Parley: WhatsApp conversations that open, run and close.")
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(workspaceCommand());
program.addCommand(apikeyCommand());
program.addCommand(workerCommand());
program.addCommand(simulatorCommand());
program.addCommand(sandboxCommand());
program.addCommand(workflowCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`parley: ${message}\n`);
  process.exitCode = 1;
}
