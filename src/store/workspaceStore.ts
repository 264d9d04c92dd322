import { createHash, randomBytes } from "node:crypto";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import {
  DEFAULT_BRAND,
  DEFAULT_CATEGORIES,
  type WorkspacePatch,
  type WorkspaceSettings,
  workspaceSettingsSchema,
} from "../core/workspace/workspaceSchema.ts";
import { configMemo } from "./configMemo.ts";
import type { WorkspaceRow } from "./databaseSchema.ts";
import { inTransaction } from "./inTransaction.ts";
import type { Db, StoreContext } from "./storeContext.ts";

export interface Workspace {
  id: string;
  name: string;
  brandName: string;
  closingNotes: { category: "required" | "optional"; summary: "required" | "optional" };
  settings: WorkspaceSettings;
  createdAt: number;
  updatedAt: number;
}

export function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    name: row.name,
    brandName: row.brand_name,
    closingNotes: { category: row.close_category_policy, summary: row.close_summary_policy },
    settings: workspaceSettingsSchema.parse(JSON.parse(row.settings)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Workspaces, their settings and API keys. */
export const workspaceStore = {
  async create(ctx: StoreContext, input: { name: string; brandName?: string }): Promise<Workspace> {
    const now = ctx.now();
    const id = newId();
    await inTransaction(ctx, async (tx) => {
      await tx
        .insertInto("workspaces")
        .values({
          id,
          name: input.name,
          brand_name: input.brandName ?? DEFAULT_BRAND,
          close_category_policy: "optional",
          close_summary_policy: "optional",
          settings: "{}",
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx
        .insertInto("categories")
        .values(
          DEFAULT_CATEGORIES.map((c, i) => ({
            workspace_id: id,
            key: c.key,
            name: c.name,
            description: c.description,
            position: i,
            archived_at: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    });
    return this.get(ctx, id);
  },

  async get(ctx: StoreContext, id: string, db: Db = ctx.db): Promise<Workspace> {
    const row = await db.selectFrom("workspaces").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw AppError.notFound("Workspace", id);
    return toWorkspace(row);
  },

  /** `get`, cached across transactions (see configMemo); for transactions that don't change the workspace. */
  getInTx(ctx: StoreContext, id: string, db: Db = ctx.db): Promise<Workspace> {
    return configMemo(ctx, db, `workspace:${id}`, () => this.get(ctx, id, db));
  },

  async first(ctx: StoreContext): Promise<Workspace | null> {
    const row = await ctx.db
      .selectFrom("workspaces")
      .selectAll()
      .orderBy("created_at")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    return row ? toWorkspace(row) : null;
  },

  async update(ctx: StoreContext, id: string, patch: WorkspacePatch): Promise<Workspace> {
    const current = await this.get(ctx, id);
    const settings = { ...current.settings, ...patch.settings };
    await inTransaction(ctx, (tx) =>
      tx
        .updateTable("workspaces")
        .set({
          name: patch.name ?? current.name,
          brand_name: patch.brand_name ?? current.brandName,
          close_category_policy: patch.closing_notes?.category ?? current.closingNotes.category,
          close_summary_policy: patch.closing_notes?.summary ?? current.closingNotes.summary,
          settings: JSON.stringify(settings),
          updated_at: ctx.now(),
        })
        .where("id", "=", id)
        .execute(),
    );
    return this.get(ctx, id);
  },

  /** Creates an API key and returns its plaintext, which is never stored and never shown again. */
  async createApiKey(
    ctx: StoreContext,
    workspaceId: string,
    name: string,
  ): Promise<{ id: string; key: string }> {
    await this.get(ctx, workspaceId);
    const key = `pk_${randomBytes(24).toString("base64url")}`;
    const id = newId();
    await ctx.db
      .insertInto("api_keys")
      .values({
        id,
        workspace_id: workspaceId,
        name,
        key_hash: hashApiKey(key),
        prefix: key.slice(0, 10),
        created_at: ctx.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return { id, key };
  },

  async listApiKeys(
    ctx: StoreContext,
    workspaceId: string,
  ): Promise<{ id: string; name: string; prefix: string; createdAt: number }[]> {
    const rows = await ctx.db
      .selectFrom("api_keys")
      .select(["id", "name", "prefix", "created_at"])
      .where("workspace_id", "=", workspaceId)
      .where("revoked_at", "is", null)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at }));
  },

  async revokeApiKey(ctx: StoreContext, workspaceId: string, id: string): Promise<void> {
    const res = await ctx.db
      .updateTable("api_keys")
      .set({ revoked_at: ctx.now() })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw AppError.notFound("API key", id);
  },

  async findApiKey(ctx: StoreContext, key: string): Promise<{ id: string; workspaceId: string } | null> {
    const row = await ctx.db
      .selectFrom("api_keys")
      .select(["id", "workspace_id"])
      .where("key_hash", "=", hashApiKey(key))
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return row ? { id: row.id, workspaceId: row.workspace_id } : null;
  },
};

/** Keys are high-entropy random strings, so a plain SHA-256 is enough to store them safely. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}
