import { randomBytes } from "node:crypto";
import type { Role } from "../core/auth/roleSchema.ts";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import type { StoreContext } from "./storeContext.ts";
import { hashApiKey } from "./workspaceStore.ts";

export const SESSION_TTL_MS = 30 * 24 * 3600_000;

export interface Session {
  id: string;
  userId: string;
  workspaceId: string;
  csrfToken: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface SessionWithUser extends Session {
  user: { id: string; email: string; name: string; role: Role };
}

/**
 * Cookie sessions. Only a SHA-256 of the token is stored (like API keys, it is high-entropy), so a leaked
 * database can't be replayed; revoking sets `revoked_at` and takes effect on the next request.
 */
export const sessionStore = {
  async create(
    ctx: StoreContext,
    user: { id: string; workspaceId: string },
    meta: { userAgent?: string; ip?: string },
  ): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString("base64url");
    const now = ctx.now();
    const session: Session = {
      id: newId(),
      userId: user.id,
      workspaceId: user.workspaceId,
      csrfToken: randomBytes(24).toString("base64url"),
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip ?? null,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    };
    await ctx.db
      .insertInto("sessions")
      .values({
        id: session.id,
        token_hash: hashApiKey(token),
        user_id: session.userId,
        workspace_id: session.workspaceId,
        csrf_token: session.csrfToken,
        user_agent: session.userAgent,
        ip: session.ip,
        created_at: now,
        expires_at: session.expiresAt,
        revoked_at: null,
      })
      .execute();
    return { token, session };
  },

  /** The live session for a cookie token: not revoked, not expired, its user not disabled. */
  async findByToken(ctx: StoreContext, token: string): Promise<SessionWithUser | null> {
    const row = await ctx.db
      .selectFrom("sessions as s")
      .innerJoin("users as u", "u.id", "s.user_id")
      .select([
        "s.id",
        "s.user_id",
        "s.workspace_id",
        "s.csrf_token",
        "s.user_agent",
        "s.ip",
        "s.created_at",
        "s.expires_at",
        "u.email",
        "u.name",
        "u.role",
      ])
      .where("s.token_hash", "=", hashApiKey(token))
      .where("s.revoked_at", "is", null)
      .where("s.expires_at", ">", ctx.now())
      .where("u.disabled_at", "is", null)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      csrfToken: row.csrf_token,
      userAgent: row.user_agent,
      ip: row.ip,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      user: { id: row.user_id, email: row.email, name: row.name, role: row.role },
    };
  },

  /** Whether a session is still live; long-lived streams re-check it, since they authenticated only once. */
  async isActive(ctx: StoreContext, sessionId: string): Promise<boolean> {
    const row = await ctx.db
      .selectFrom("sessions as s")
      .innerJoin("users as u", "u.id", "s.user_id")
      .select("s.id")
      .where("s.id", "=", sessionId)
      .where("s.revoked_at", "is", null)
      .where("s.expires_at", ">", ctx.now())
      .where("u.disabled_at", "is", null)
      .executeTakeFirst();
    return row !== undefined;
  },

  async listForUser(ctx: StoreContext, userId: string): Promise<Session[]> {
    const rows = await ctx.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", ctx.now())
      .orderBy("created_at", "desc")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      workspaceId: r.workspace_id,
      csrfToken: r.csrf_token,
      userAgent: r.user_agent,
      ip: r.ip,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    }));
  },

  /** Revokes one of the user's sessions (404 for anyone else's). */
  async revoke(ctx: StoreContext, userId: string, sessionId: string): Promise<void> {
    const res = await ctx.db
      .updateTable("sessions")
      .set({ revoked_at: ctx.now() })
      .where("id", "=", sessionId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw AppError.notFound("Session", sessionId);
  },

  /** Signs a user out everywhere (but `keep`, if given), e.g. when an admin disables them. */
  async revokeAllForUser(ctx: StoreContext, userId: string, keep?: string): Promise<void> {
    let q = ctx.db
      .updateTable("sessions")
      .set({ revoked_at: ctx.now() })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null);
    if (keep) q = q.where("id", "!=", keep);
    await q.execute();
  },
};
