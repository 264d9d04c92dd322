import { Command } from "commander";
import { workspaceStore } from "../store/workspaceStore.ts";
import { cliContext } from "./cliContext.ts";

/** `parley workspace create --name N`: prints the new workspace's id alone on the last line. */
export function workspaceCommand(): Command {
  const cmd = new Command("workspace").description("manage workspaces");
  cmd
    .command("create")
    .description("create a workspace (with the default categories)")
    .requiredOption("--name <name>", "workspace name")
    .option("--brand <brand>", "brand name shown to users", undefined)
    .action(async (opts: { name: string; brand?: string }) => {
      const { store, close } = await cliContext();
      try {
        const ws = await workspaceStore.create(store, { name: opts.name, brandName: opts.brand });
        process.stdout.write(`${ws.id}\n`);
      } finally {
        await close();
      }
    });
  cmd
    .command("list")
    .description("list workspaces")
    .action(async () => {
      const { store, close } = await cliContext();
      try {
        const rows = await store.db
          .selectFrom("workspaces")
          .select(["id", "name", "brand_name"])
          .orderBy("created_at")
          .execute();
        for (const r of rows) process.stdout.write(`${r.id}\t${r.name}\t${r.brand_name}\n`);
      } finally {
        await close();
      }
    });
  return cmd;
}
