import { Cron } from "croner";
import { AppError } from "../core/errors.ts";
import { hookSecret } from "../core/workflow/hookSecret.ts";
import { validateWorkflow, type WorkflowRefs } from "../core/workflow/validateWorkflow.ts";
import type { WorkflowDefinition } from "../core/workflow/workflowDefinitionSchema.ts";
import { categoryStore } from "../store/categoryStore.ts";
import { channelStore } from "../store/channelStore.ts";
import type { StoreContext } from "../store/storeContext.ts";
import { type Workflow, workflowStore } from "../store/workflows/workflowStore.ts";
import { workspaceStore } from "../store/workspaceStore.ts";

/**
 * The next time a schedule trigger fires after `after`; null for other triggers, and for a cron that never fires
 * or that is not the 5 fields validation accepts (one stored before that check: a seconds field fired it every
 * second), so the schedule stops rather than failing every scheduler pass.
 */
export function nextScheduleAt(def: WorkflowDefinition, after: number): number | null {
  if (def.trigger.type !== "schedule") return null;
  try {
    const cron = new Cron(def.trigger.cron, { timezone: def.trigger.timezone, paused: true, mode: "5-part" });
    return cron.nextRun(new Date(after))?.getTime() ?? null;
  } catch {
    return null;
  }
}

async function refsOf(ctx: StoreContext, workspaceId: string, selfId?: string): Promise<WorkflowRefs> {
  const [categories, channels, workflows, workspace] = await Promise.all([
    categoryStore.list(ctx, workspaceId),
    channelStore.list(ctx, workspaceId),
    workflowStore.list(ctx, workspaceId),
    workspaceStore.get(ctx, workspaceId),
  ]);
  return {
    categories: categories.map((c) => ({ key: c.key, name: c.name, archived: c.archived })),
    channels: channels.map((c) => ({ id: c.id, name: c.name })),
    // The workflow itself under its stored name is left out: a renamed workflow no longer answers to it.
    workflows: workflows.filter((w) => w.id !== selfId).map((w) => ({ id: w.id, name: w.name })),
    selfId,
    closingNotes: workspace.closingNotes,
  };
}

/**
 * Validates a definition against its workspace and saves it: a new workflow, or a new version of `id`.
 * Invalid definitions are a 422 whose errors name each bad path.
 */
export async function saveWorkflow(
  ctx: StoreContext,
  workspaceId: string,
  input: unknown,
  id?: string,
): Promise<Workflow> {
  const stored = id ? (await workflowStore.get(ctx, workspaceId, id)).definition : null;
  const restored = hookSecret.restore(input, stored);
  if (restored.missing)
    throw AppError.validation(
      "trigger.secret",
      "the placeholder keeps an existing secret, and this workflow has none; give the secret itself",
    );
  const refs = await refsOf(ctx, workspaceId, id);
  const result = validateWorkflow(restored.input, refs);
  if (!result.ok) {
    const first = result.issues[0];
    const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : "";
    throw new AppError("validation", `${first?.field}: ${first?.message}${more}`, result.issues);
  }
  const def = result.definition;
  // Names are how the CLI and trigger_workflow steps find a workflow: "Registration" beside "registration" would
  // make them ambiguous to people, so a name taken in another case is taken.
  const lower = def.name.toLowerCase();
  const twin = refs.workflows.find((w) => w.name !== def.name && w.name.toLowerCase() === lower);
  if (twin)
    throw new AppError("conflict", `A workflow named "${twin.name}" already exists`, [
      { field: "name", message: `already used (as "${twin.name}")` },
    ]);
  // Saving what is already stored (an editor's Save with nothing changed) makes no new version.
  if (id && stored && JSON.stringify(def) === JSON.stringify(stored))
    return workflowStore.get(ctx, workspaceId, id);
  const next = nextScheduleAt(def, ctx.now());
  return id
    ? workflowStore.update(ctx, workspaceId, id, def, next)
    : workflowStore.create(ctx, workspaceId, def, next);
}
