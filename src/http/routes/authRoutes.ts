import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { AppError } from "../../core/errors.ts";
import { SESSION_TTL_MS, sessionStore } from "../../store/sessionStore.ts";
import { type User, userStore } from "../../store/userStore.ts";
import { workspaceStore } from "../../store/workspaceStore.ts";
import type { LoginLimiter } from "../LoginLimiter.ts";
import { problem, sendProblem } from "../problem.ts";
import { meResource } from "../resources/meResource.ts";
import { readCookie, SESSION_COOKIE, setSessionCookie } from "../sessionCookie.ts";

export const passwordSchema = z.string().min(10, "must be at least 10 characters").max(200);
export const emailSchema = z.email().max(200);

export const authStateResource = z
  .object({ setup_required: z.boolean(), brand_name: z.string() })
  .meta({ id: "AuthState" });

const setupBody = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(100),
  password: passwordSchema,
  brand_name: z.string().trim().min(1).max(80).optional(),
});
export type SetupBody = z.infer<typeof setupBody>;

const loginBody = z.strictObject({ email: z.string().max(200), password: z.string().max(200) });
export type LoginBody = z.infer<typeof loginBody>;

/**
 * The unauthenticated part of the web app's sign-in: whether setup is needed (and the brand to show on the
 * sign-in page), first-owner setup, sign-in and sign-out. Mounted at /api/v1/auth.
 */
export function authRoutes(app: FastifyInstance, deps: AppContext, limiter: LoginLimiter) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Auth"];
  const security: [] = [];

  async function startSession(req: FastifyRequest, reply: FastifyReply, user: User) {
    const { token, session } = await sessionStore.create(deps.store, user, {
      userAgent: req.headers["user-agent"],
      ip: req.ip,
    });
    setSessionCookie(req, reply, token, SESSION_TTL_MS);
    const ws = await workspaceStore.get(deps.store, user.workspaceId);
    return {
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
      role: user.role,
      csrf_token: session.csrfToken,
      session_id: session.id,
      workspace: { id: ws.id, brand_name: ws.brandName },
    };
  }

  r.get(
    "/state",
    {
      schema: {
        tags,
        security,
        description: "Whether the first owner still has to be created, and the brand to show on sign-in.",
        response: { 200: authStateResource },
      },
    },
    async () => {
      const ws = await workspaceStore.first(deps.store);
      return {
        setup_required: (await userStore.count(deps.store)) === 0,
        brand_name: ws?.brandName ?? "Parley",
      };
    },
  );

  r.post(
    "/setup",
    {
      schema: {
        tags,
        security,
        description: "Creates the owner account while no user exists yet, and signs them in.",
        body: setupBody,
        response: { 201: meResource },
      },
    },
    async (req, reply) => {
      const ws = await workspaceStore.first(deps.store);
      if (!ws) throw new AppError("unavailable", "No workspace exists yet");
      if ((await userStore.count(deps.store)) > 0)
        throw new AppError("conflict", "Setup is already done; sign in instead");
      const owner = await userStore.create(deps.store, ws.id, { ...req.body, role: "owner" });
      if (req.body.brand_name)
        await workspaceStore.update(deps.store, ws.id, { brand_name: req.body.brand_name });
      return reply.code(201).send(await startSession(req, reply, owner));
    },
  );

  r.post(
    "/login",
    { schema: { tags, security, body: loginBody, response: { 200: meResource } } },
    async (req, reply) => {
      const email = req.body.email.trim().toLowerCase();
      const wait = await limiter.retryAfterMs(req.ip, email);
      if (wait > 0) {
        reply.header("retry-after", String(Math.ceil(wait / 1000)));
        return sendProblem(
          reply,
          problem(429, "rate_limited", "Too many failed sign-ins; wait a few minutes and try again"),
        );
      }
      const user = await userStore.verifyPassword(deps.store, email, req.body.password);
      if (!user) {
        await limiter.fail(req.ip, email);
        throw new AppError("unauthorized", "The email or password is wrong");
      }
      await limiter.succeed(req.ip, email);
      return startSession(req, reply, user);
    },
  );

  r.post("/logout", { schema: { tags, security } }, async (req, reply) => {
    const token = readCookie(req, SESSION_COOKIE);
    const session = token ? await sessionStore.findByToken(deps.store, token) : null;
    if (session) await sessionStore.revoke(deps.store, session.userId, session.id);
    setSessionCookie(req, reply, null);
    return reply.code(204).send();
  });
}
