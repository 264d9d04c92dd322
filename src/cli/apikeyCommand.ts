import { Command } from "commander";
import { workspaceStore } from "../store/workspaceStore.ts";
import { cliContext } from "./cliContext.ts";

/** `parley apikey create [--workspace ID] [--name N]`: prints the new key alone on the last line. */
export function apikeyCommand(): Command {
  const cmd = new Command("apikey").description("manage API keys");
  cmd
    .command("create")
    .description("create an API key (shown once)")
    .option("--workspace <id>", "workspace id (default: the first workspace)")
    .option("--name <name>", "a label for the key", "cli")
    .action(async (opts: { workspace?: string; name: string }) => {
      const { store, close } = await cliContext();
      try {
        const workspaceId = opts.workspace ?? (await workspaceStore.first(store))?.id;
        if (!workspaceId)
          throw new Error("there is no workspace yet; run `parley workspace create --name N` first");
        const { key } = await workspaceStore.createApiKey(store, workspaceId, opts.name);
        process.stdout.write(`${key}\n`);
      } finally {
        await close();
      }
    });
  return cmd;
}
