import { hash, verify } from "@node-rs/argon2";
import type { Role } from "../core/auth/roleSchema.ts";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import type { UserRow } from "./databaseSchema.ts";
import type { StoreContext } from "./storeContext.ts";

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  workspaceId: r.workspace_id,
  email: r.email,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  disabled: r.disabled_at !== null,
});

// @node-rs/argon2's Algorithm is a const enum, which isolatedModules can't inline; 2 is Argon2id.
const ARGON2ID = 2;
/** OWASP's argon2id baseline (19 MiB, 2 passes): a few tens of ms per sign-in on this class of machine. */
const hashOptions = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** A valid hash of nothing in particular, verified against when the email is unknown so timing reveals nothing. */
let decoy: Promise<string> | null = null;

const isUniqueViolation = (err: unknown) =>
  err instanceof Error &&
  (/UNIQUE constraint failed/.test(err.message) || (err as { code?: string }).code === "23505");

/** People who sign in: created with an argon2id password hash, looked up by email. */
export const userStore = {
  async count(ctx: StoreContext): Promise<number> {
    const row = await ctx.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async create(
    ctx: StoreContext,
    workspaceId: string,
    input: { email: string; name: string; role: Role; password: string },
  ): Promise<User> {
    const now = ctx.now();
    const row: UserRow = {
      id: newId(),
      workspace_id: workspaceId,
      email: input.email.trim().toLowerCase(),
      name: input.name.trim(),
      role: input.role,
      password_hash: await hash(input.password, hashOptions),
      created_at: now,
      updated_at: now,
      disabled_at: null,
    };
    try {
      await ctx.db.insertInto("users").values(row).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw input.role === "owner"
        ? new AppError("conflict", "This workspace already has an owner; sign in instead")
        : new AppError("conflict", `A user with email ${row.email} already exists`, [
            { field: "email", message: "is already taken" },
          ]);
    }
    return toUser(row);
  },

  async get(ctx: StoreContext, workspaceId: string, id: string): Promise<User> {
    const row = await ctx.db
      .selectFrom("users")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("User", id);
    return toUser(row);
  },

  async list(ctx: StoreContext, workspaceId: string): Promise<User[]> {
    const rows = await ctx.db
      .selectFrom("users")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toUser);
  },

  async update(
    ctx: StoreContext,
    workspaceId: string,
    id: string,
    patch: { name?: string; role?: Role; disabled?: boolean },
  ): Promise<User> {
    const current = await this.get(ctx, workspaceId, id);
    if (current.role === "owner" && patch.role && patch.role !== "owner")
      throw new AppError("conflict", "The owner's role can't be changed");
    if (current.role === "owner" && patch.disabled)
      throw new AppError("conflict", "The owner can't be disabled");
    await ctx.db
      .updateTable("users")
      .set({
        name: patch.name ?? current.name,
        role: patch.role ?? current.role,
        disabled_at: patch.disabled === undefined ? undefined : patch.disabled ? ctx.now() : null,
        updated_at: ctx.now(),
      })
      .where("id", "=", id)
      .execute();
    return this.get(ctx, workspaceId, id);
  },

  /** Replaces a user's password (the caller decides who may, and which sessions to end). */
  async setPassword(ctx: StoreContext, workspaceId: string, id: string, password: string): Promise<void> {
    const passwordHash = await hash(password, hashOptions);
    const res = await ctx.db
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: ctx.now() })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw AppError.notFound("User", id);
  },

  /** Whether `password` is this user's current password. */
  async checkPassword(ctx: StoreContext, id: string, password: string): Promise<boolean> {
    const row = await ctx.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? verify(row.password_hash, password) : false;
  },

  /** The user whose email and password match, or null; always spends one argon2 verification. */
  async verifyPassword(ctx: StoreContext, email: string, password: string): Promise<User | null> {
    const row = await ctx.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", email.trim().toLowerCase())
      .executeTakeFirst();
    if (!row) {
      decoy ??= hash("decoy password", hashOptions);
      await verify(await decoy, password);
      return null;
    }
    const ok = await verify(row.password_hash, password);
    return ok && row.disabled_at === null ? toUser(row) : null;
  },
};
