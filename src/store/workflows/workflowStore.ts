import { randomBytes } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import { newId } from "../../core/newId.ts";
import {
  type WorkflowDefinition,
  workflowDefinitionSchema,
} from "../../core/workflow/workflowDefinitionSchema.ts";
import { inTransaction } from "../inTransaction.ts";
import type { Db, StoreContext, Tx } from "../storeContext.ts";
import type { WorkflowRow } from "../workflowTables.ts";

export interface Workflow {
  id: string;
  workspaceId: string;
  name: string;
  enabled: boolean;
  version: number;
  triggerType: string;
  definition: WorkflowDefinition;
  hookToken: string;
  scheduleNextAt: number | null;
  createdAt: number;
  updatedAt: number;
}

// Versions never change once written, so parsed definitions can be cached for the life of the process.
const versionCache = new Map<string, WorkflowDefinition>();

function parsedDefinition(workflowId: string, version: number, text: string): WorkflowDefinition {
  const key = `${workflowId}:${version}`;
  let def = versionCache.get(key);
  if (!def) {
    def = workflowDefinitionSchema.parse(JSON.parse(text));
    if (versionCache.size > 10_000) versionCache.clear();
    versionCache.set(key, def);
  }
  return def;
}

export const toWorkflow = (r: WorkflowRow): Workflow => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  enabled: r.enabled === 1,
  version: r.version,
  triggerType: r.trigger_type,
  definition: parsedDefinition(r.id, r.version, r.definition),
  hookToken: r.hook_token,
  scheduleNextAt: r.schedule_next_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Workflows and their immutable versions; a run stays on the version it started with. */
export const workflowStore = {
  async create(
    ctx: StoreContext,
    workspaceId: string,
    def: WorkflowDefinition,
    scheduleNextAt: number | null,
  ): Promise<Workflow> {
    const now = ctx.now();
    const id = newId();
    await inTransaction(ctx, async (tx) => {
      const clash = await tx
        .selectFrom("workflows")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("name", "=", def.name)
        .executeTakeFirst();
      if (clash)
        throw new AppError("conflict", `A workflow named "${def.name}" already exists`, [
          { field: "name", message: "already used" },
        ]);
      await tx
        .insertInto("workflows")
        .values({
          id,
          workspace_id: workspaceId,
          name: def.name,
          enabled: def.enabled === false ? 0 : 1,
          version: 1,
          trigger_type: def.trigger.type,
          definition: JSON.stringify(def),
          hook_token: randomBytes(18).toString("base64url"),
          schedule_next_at: scheduleNextAt,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx
        .insertInto("workflow_versions")
        .values({ workflow_id: id, version: 1, definition: JSON.stringify(def), created_at: now })
        .execute();
    });
    return this.get(ctx, workspaceId, id);
  },

  /** Saves a new version; runs already under way finish on theirs. */
  async update(
    ctx: StoreContext,
    workspaceId: string,
    id: string,
    def: WorkflowDefinition,
    scheduleNextAt: number | null,
  ): Promise<Workflow> {
    const now = ctx.now();
    await inTransaction(ctx, async (tx) => {
      const current = await this.get(ctx, workspaceId, id, tx);
      const clash = await tx
        .selectFrom("workflows")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("name", "=", def.name)
        .where("id", "!=", id)
        .executeTakeFirst();
      if (clash)
        throw new AppError("conflict", `A workflow named "${def.name}" already exists`, [
          { field: "name", message: "already used" },
        ]);
      const version = current.version + 1;
      await tx
        .insertInto("workflow_versions")
        .values({ workflow_id: id, version, definition: JSON.stringify(def), created_at: now })
        .execute();
      await tx
        .updateTable("workflows")
        .set({
          name: def.name,
          version,
          enabled: def.enabled === undefined ? (current.enabled ? 1 : 0) : def.enabled ? 1 : 0,
          trigger_type: def.trigger.type,
          definition: JSON.stringify(def),
          schedule_next_at: scheduleNextAt,
          updated_at: now,
        })
        .where("id", "=", id)
        .execute();
    });
    return this.get(ctx, workspaceId, id);
  },

  async setEnabled(ctx: StoreContext, workspaceId: string, id: string, enabled: boolean): Promise<Workflow> {
    await this.get(ctx, workspaceId, id);
    await inTransaction(ctx, (tx) =>
      tx
        .updateTable("workflows")
        .set({ enabled: enabled ? 1 : 0, updated_at: ctx.now() })
        .where("id", "=", id)
        .execute(),
    );
    return this.get(ctx, workspaceId, id);
  },

  async get(ctx: StoreContext, workspaceId: string, id: string, db: Db | Tx = ctx.db): Promise<Workflow> {
    const row = await db
      .selectFrom("workflows")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Workflow", id);
    return toWorkflow(row);
  },

  /** By id or by name, as steps and the CLI refer to workflows. */
  async find(
    ctx: StoreContext,
    workspaceId: string,
    ref: string,
    db: Db | Tx = ctx.db,
  ): Promise<Workflow | null> {
    const row = await db
      .selectFrom("workflows")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where((eb) => eb.or([eb("id", "=", ref), eb("name", "=", ref)]))
      .executeTakeFirst();
    return row ? toWorkflow(row) : null;
  },

  async findByHookToken(ctx: StoreContext, token: string): Promise<Workflow | null> {
    const row = await ctx.db
      .selectFrom("workflows")
      .selectAll()
      .where("hook_token", "=", token)
      .executeTakeFirst();
    return row ? toWorkflow(row) : null;
  },

  async list(ctx: StoreContext, workspaceId: string): Promise<Workflow[]> {
    const rows = await ctx.db
      .selectFrom("workflows")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .orderBy("name")
      .execute();
    return rows.map(toWorkflow);
  },

  /** Enabled workflows of the given trigger types, for the trigger dispatcher and the scheduler. */
  async enabledByTrigger(db: Db | Tx, types: string[]): Promise<Workflow[]> {
    const rows = await db
      .selectFrom("workflows")
      .selectAll()
      .where("enabled", "=", 1)
      .where("trigger_type", "in", types)
      .execute();
    return rows.map(toWorkflow);
  },

  async definitionAt(db: Db | Tx, workflowId: string, version: number): Promise<WorkflowDefinition> {
    const cached = versionCache.get(`${workflowId}:${version}`);
    if (cached) return cached;
    const row = await db
      .selectFrom("workflow_versions")
      .select("definition")
      .where("workflow_id", "=", workflowId)
      .where("version", "=", version)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Workflow version", `${workflowId}:${version}`);
    return parsedDefinition(workflowId, version, row.definition);
  },
};
