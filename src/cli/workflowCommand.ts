import { readFileSync } from "node:fs";
import { Command } from "commander";
import { parse as parseYaml } from "yaml";
import type { Config } from "../config/loadConfig.ts";
import { AppError } from "../core/errors.ts";
import { saveWorkflow } from "../engine/saveWorkflow.ts";
import { startBatch } from "../engine/startBatch.ts";
import { triggerWebhook } from "../engine/triggerWebhook.ts";
import type { StoreContext } from "../store/storeContext.ts";
import { runStore } from "../store/workflows/runStore.ts";
import { type Workflow, workflowStore } from "../store/workflows/workflowStore.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import { cliContext } from "./cliContext.ts";

const out = (line: string) => process.stdout.write(`${line}\n`);

async function workspaceOf(store: StoreContext, id?: string): Promise<string> {
  if (id) return (await workspaceStore.get(store, id)).id;
  const first = await workspaceStore.first(store);
  if (!first) throw new Error("no workspace yet: run `parley serve` once or `parley workspace create`");
  return first.id;
}

async function findWorkflow(store: StoreContext, ws: string, ref: string): Promise<Workflow> {
  const wf = await workflowStore.find(store, ws, ref);
  if (!wf) throw new Error(`no workflow named "${ref}"`);
  return wf;
}

/** Runs a command body with a store, turning validation errors into one readable message per bad path. */
async function withStore(fn: (store: StoreContext, config: Config) => Promise<void>): Promise<void> {
  const { config, store, close } = await cliContext();
  try {
    await fn(store, config);
  } catch (err) {
    if (err instanceof AppError && err.errors.length > 0)
      throw new Error(`${err.detail}\n${err.errors.map((e) => `  ${e.field}: ${e.message}`).join("\n")}`);
    throw err;
  } finally {
    await close();
  }
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

/** `parley workflow apply|list|trigger|runs`: manage workflows from YAML files, straight on the database. */
export function workflowCommand(): Command {
  const cmd = new Command("workflow").description("create, list and trigger workflows");
  const ws = "--workspace <id>";

  cmd
    .command("apply")
    .description("create or update (by name) a workflow from a YAML or JSON file; prints its id last")
    .requiredOption("-f, --file <path>", "the definition")
    .option(ws, "workspace id (default: the first)")
    .action(async (o: { file: string; workspace?: string }) =>
      withStore(async (store, config) => {
        const workspaceId = await workspaceOf(store, o.workspace);
        const def: unknown = parseYaml(readFileSync(o.file, "utf8"));
        const name = def && typeof def === "object" && "name" in def ? String(def.name) : "";
        const existing = name ? await workflowStore.find(store, workspaceId, name) : null;
        const wf = await saveWorkflow(store, workspaceId, def, existing?.id);
        const what = !existing ? "created" : wf.version === existing.version ? "unchanged" : "updated";
        out(`${what} "${wf.name}" (version ${wf.version}, ${wf.triggerType} trigger)`);
        if (wf.triggerType === "webhook")
          out(
            `webhook: POST /api/v1/workflows/${wf.id}/trigger or ${config.PUBLIC_URL ?? "<this server>"}/hooks/${wf.hookToken}`,
          );
        out(wf.id);
      }),
    );

  cmd
    .command("list")
    .description("list workflows")
    .option(ws, "workspace id (default: the first)")
    .action(async (o: { workspace?: string }) =>
      withStore(async (store) => {
        for (const wf of await workflowStore.list(store, await workspaceOf(store, o.workspace)))
          out(
            `${wf.id}  ${wf.enabled ? "on " : "off"}  v${wf.version}  ${wf.triggerType.padEnd(19)}  ${wf.name}`,
          );
      }),
    );

  cmd
    .command("trigger <name>")
    .description("trigger a webhook workflow with --data, or start a manual batch for --phones")
    .option("--data <json>", "the payload (webhook) or each run's trigger data (manual)", "{}")
    .option("--phones <list>", "comma-separated phone numbers (manual batch)")
    .option("--watch", "show the batch's progress until it finishes (a server or worker runs it)")
    .option(ws, "workspace id (default: the first)")
    .action(async (name: string, o: { data: string; phones?: string; watch?: boolean; workspace?: string }) =>
      withStore(async (store) => {
        const workspaceId = await workspaceOf(store, o.workspace);
        const wf = await findWorkflow(store, workspaceId, name);
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(o.data);
        } catch {
          throw new Error("--data must be JSON");
        }
        if (wf.triggerType === "webhook") {
          const run = await triggerWebhook(store, wf, data);
          out(run.created ? "run started" : "same dedupe key: existing run");
          out(run.runId);
          return;
        }
        const phones = o.phones
          ?.split(",")
          .map((p) => p.trim())
          .filter(Boolean);
        const batch = await startBatch(store, wf, { ...(phones ? { phones } : {}), data });
        out(`batch of ${batch.total} run(s) started`);
        if (o.watch) {
          for (;;) {
            const p = await runStore.batch(store, workspaceId, batch.batchId);
            process.stderr.write(
              `\r${progressBar(p.total - p.pending, p.total)}  failed ${p.failed}  skipped ${p.skipped}`,
            );
            if (p.pending === 0) break;
            await new Promise((r) => setTimeout(r, 500));
          }
          process.stderr.write("\n");
        }
        out(batch.batchId);
      }),
    );

  cmd
    .command("runs <name>")
    .description("list a workflow's latest runs")
    .option("--limit <n>", "how many", "20")
    .option(ws, "workspace id (default: the first)")
    .action(async (name: string, o: { limit: string; workspace?: string }) =>
      withStore(async (store) => {
        const workspaceId = await workspaceOf(store, o.workspace);
        const wf = await findWorkflow(store, workspaceId, name);
        const page = await runStore.list(store, workspaceId, wf.id, {
          limit: Math.min(200, Number(o.limit) || 20),
        });
        for (const r of page.data) {
          const why = r.skipReason ?? r.error ?? (r.currentStep ? `at ${r.currentStep}` : "");
          out(
            `${r.id}  ${r.status.padEnd(9)}  v${r.version}  ${new Date(r.createdAt).toISOString()}  ${why}`,
          );
        }
      }),
    );
  return cmd;
}
