import { AppError } from "../core/errors.ts";
import { configMemo } from "./configMemo.ts";
import type { CategoryRow } from "./databaseSchema.ts";
import type { Db, StoreContext } from "./storeContext.ts";

export interface Category {
  key: string;
  name: string;
  description: string | null;
  archived: boolean;
  archivedAt: number | null;
  position: number;
}

const toCategory = (r: CategoryRow): Category => ({
  key: r.key,
  name: r.name,
  description: r.description,
  archived: r.archived_at !== null,
  archivedAt: r.archived_at,
  position: r.position,
});

/** Closing categories: a workspace's list of reasons a conversation is closed under. */
export const categoryStore = {
  async list(ctx: StoreContext, workspaceId: string, includeArchived = true): Promise<Category[]> {
    let q = ctx.db.selectFrom("categories").selectAll().where("workspace_id", "=", workspaceId);
    if (!includeArchived) q = q.where("archived_at", "is", null);
    return (await q.orderBy("position").orderBy("key").execute()).map(toCategory);
  },

  async get(ctx: StoreContext, workspaceId: string, key: string, db: Db = ctx.db): Promise<Category | null> {
    const row = await db
      .selectFrom("categories")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("key", "=", key)
      .executeTakeFirst();
    return row ? toCategory(row) : null;
  },

  /**
   * Finds the active category a close refers to, by key or (case-insensitively) by name.
   * Archived categories stay on past closes but cannot be chosen for new ones.
   */
  async resolveForClose(
    ctx: StoreContext,
    workspaceId: string,
    ref: string,
    db: Db = ctx.db,
  ): Promise<Category> {
    const all = await configMemo(ctx, db, `categories:${workspaceId}`, async () =>
      (await db.selectFrom("categories").selectAll().where("workspace_id", "=", workspaceId).execute()).map(
        toCategory,
      ),
    );
    const wanted = ref.trim().toLowerCase();
    const found = all.find((c) => c.key === ref.trim()) ?? all.find((c) => c.name.toLowerCase() === wanted);
    const active = all.filter((c) => !c.archived).map((c) => c.key);
    if (!found) {
      throw AppError.validation("category", `unknown category "${ref}"; use one of: ${active.join(", ")}`);
    }
    if (found.archived) {
      throw AppError.validation(
        "category",
        `category "${found.key}" is archived; use one of: ${active.join(", ")}`,
      );
    }
    return found;
  },

  async create(
    ctx: StoreContext,
    workspaceId: string,
    input: { key: string; name: string; description?: string | null },
  ): Promise<Category> {
    const existing = await this.get(ctx, workspaceId, input.key);
    if (existing)
      throw new AppError("conflict", `Category "${input.key}" already exists`, [
        { field: "key", message: "already exists" },
      ]);
    const max = await ctx.db
      .selectFrom("categories")
      .select((eb) => eb.fn.max("position").as("p"))
      .where("workspace_id", "=", workspaceId)
      .executeTakeFirst();
    const now = ctx.now();
    await ctx.db
      .insertInto("categories")
      .values({
        workspace_id: workspaceId,
        key: input.key,
        name: input.name,
        description: input.description ?? null,
        position: Number(max?.p ?? -1) + 1,
        archived_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return (await this.get(ctx, workspaceId, input.key))!;
  },

  async update(
    ctx: StoreContext,
    workspaceId: string,
    key: string,
    patch: { name?: string; description?: string | null; archived?: boolean; position?: number },
  ): Promise<Category> {
    const current = await this.get(ctx, workspaceId, key);
    if (!current) throw AppError.notFound("Category", key);
    const now = ctx.now();
    await ctx.db
      .updateTable("categories")
      .set({
        name: patch.name ?? current.name,
        description: patch.description === undefined ? current.description : patch.description,
        position: patch.position ?? current.position,
        archived_at:
          patch.archived === undefined
            ? current.archivedAt
            : patch.archived
              ? (current.archivedAt ?? now)
              : null,
        updated_at: now,
      })
      .where("workspace_id", "=", workspaceId)
      .where("key", "=", key)
      .execute();
    return (await this.get(ctx, workspaceId, key))!;
  },
};
