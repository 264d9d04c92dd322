import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { AppError } from "../../core/errors.ts";
import { sessionStore } from "../../store/sessionStore.ts";
import { userStore } from "../../store/userStore.ts";
import { workspaceStore } from "../../store/workspaceStore.ts";
import { LoginLimiter } from "../LoginLimiter.ts";
import { iso } from "../resources/iso.ts";
import { meResource } from "../resources/meResource.ts";
import { toUserResource, userResource } from "../resources/userResource.ts";
import { emailSchema, passwordSchema } from "./authRoutes.ts";

const idParams = z.object({ id: z.string().max(100) });

export const newUserBody = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(100),
  role: z.enum(["admin", "agent"]),
  password: passwordSchema,
});
export const userPatchBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  role: z.enum(["admin", "agent"]).optional(),
  disabled: z.boolean().optional(),
  /** A new password set by an admin (say, for someone who forgot theirs); ends that person's sessions. */
  password: passwordSchema.optional(),
});

export const passwordChangeBody = z.strictObject({
  current_password: z.string().max(200),
  new_password: passwordSchema,
});
export type PasswordChange = z.infer<typeof passwordChangeBody>;

export const sessionResource = z
  .object({
    id: z.string(),
    current: z.boolean(),
    user_agent: z.string().nullable(),
    ip: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
  })
  .meta({ id: "Session" });

/** The caller (`/me`), their sessions (list, revoke), and the workspace's people (admins manage them). */
export function userRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Users"];
  // Its failures live in the database, so this instance shares the sign-in limit with the login route's.
  const limiter = new LoginLimiter(deps.store);

  r.get("/me", { schema: { tags, response: { 200: meResource } } }, async (req) => {
    const ws = await workspaceStore.get(deps.store, req.auth.workspaceId);
    const s = req.auth.session;
    return {
      user: s?.user ?? null,
      role: req.auth.role,
      csrf_token: s?.csrfToken ?? null,
      session_id: s?.id ?? null,
      workspace: { id: ws.id, brand_name: ws.brandName },
    };
  });

  r.get(
    "/me/sessions",
    { schema: { tags, response: { 200: z.object({ data: z.array(sessionResource) }) } } },
    async (req) => {
      const s = req.auth.session;
      if (!s) return { data: [] };
      const list = await sessionStore.listForUser(deps.store, s.user.id);
      return {
        data: list.map((x) => ({
          id: x.id,
          current: x.id === s.id,
          user_agent: x.userAgent,
          ip: x.ip,
          created_at: iso(x.createdAt),
          expires_at: iso(x.expiresAt),
        })),
      };
    },
  );

  r.delete("/me/sessions/:id", { schema: { tags, params: idParams } }, async (req, reply) => {
    const s = req.auth.session;
    if (!s) throw new AppError("validation", "API keys have no sessions");
    await sessionStore.revoke(deps.store, s.user.id, req.params.id);
    return reply.code(204).send();
  });

  r.post(
    "/me/password",
    {
      schema: {
        tags,
        description:
          "Changes the signed-in person's own password (the current one is required); their other sessions end.",
        body: passwordChangeBody,
      },
    },
    async (req, reply) => {
      const s = req.auth.session;
      if (!s) throw new AppError("validation", "API keys have no password; sign in as a person");
      // Guessing the current password from a borrowed session counts against the sign-in limit.
      const wait = await limiter.retryAfterMs(req.ip, s.user.email);
      if (wait > 0) {
        reply.header("retry-after", String(Math.ceil(wait / 1000)));
        throw new AppError("rate_limited", "Too many wrong passwords; wait a few minutes and try again");
      }
      if (!(await userStore.checkPassword(deps.store, s.user.id, req.body.current_password))) {
        await limiter.fail(req.ip, s.user.email);
        throw new AppError("validation", "The current password is wrong", [
          { field: "current_password", message: "is wrong" },
        ]);
      }
      await userStore.setPassword(deps.store, req.auth.workspaceId, s.user.id, req.body.new_password);
      await sessionStore.revokeAllForUser(deps.store, s.user.id, s.id);
      return reply.code(204).send();
    },
  );

  r.get(
    "/users",
    { schema: { tags, response: { 200: z.object({ data: z.array(userResource) }) } } },
    async (req) => ({ data: (await userStore.list(deps.store, req.auth.workspaceId)).map(toUserResource) }),
  );

  r.post(
    "/users",
    {
      schema: {
        tags,
        description: "Adds an admin or agent with an initial password to hand to them.",
        body: newUserBody,
        response: { 201: userResource },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(toUserResource(await userStore.create(deps.store, req.auth.workspaceId, req.body))),
  );

  r.patch(
    "/users/:id",
    { schema: { tags, params: idParams, body: userPatchBody, response: { 200: userResource } } },
    async (req) => {
      const { password, ...patch } = req.body;
      if (password !== undefined) {
        const target = await userStore.get(deps.store, req.auth.workspaceId, req.params.id);
        if (target.id === req.auth.session?.user.id)
          throw AppError.validation("password", "change your own password with POST /api/v1/me/password");
        if (target.role === "owner")
          throw new AppError("forbidden", "Only the owner can change the owner's password");
      }
      const user = await userStore.update(deps.store, req.auth.workspaceId, req.params.id, patch);
      if (password !== undefined) {
        await userStore.setPassword(deps.store, req.auth.workspaceId, user.id, password);
        await sessionStore.revokeAllForUser(deps.store, user.id, req.auth.session?.id);
      }
      if (user.disabled) await sessionStore.revokeAllForUser(deps.store, user.id);
      return toUserResource(user);
    },
  );
}
