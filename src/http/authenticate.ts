import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Role, roleAtLeast } from "../core/auth/roleSchema.ts";
import type { Actor } from "../core/conversation/conversationSchema.ts";
import { sessionStore } from "../store/sessionStore.ts";
import type { StoreContext } from "../store/storeContext.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import { problem, sendProblem } from "./problem.ts";
import { requiredRole } from "./requiredRole.ts";
import { readCookie, SESSION_COOKIE } from "./sessionCookie.ts";

export interface Auth {
  workspaceId: string;
  actor: Actor;
  /** API keys act as admins: whoever holds one was given it by an admin. */
  role: Role;
  /** Set when the caller is a person signed in through the web app; null for API keys. */
  session: {
    id: string;
    csrfToken: string;
    user: { id: string; email: string; name: string; role: Role };
  } | null;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: Auth;
  }
}

export const CSRF_HEADER = "x-csrf-token";
const CACHE_MS = 30_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const sameToken = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Authenticates by `Authorization: Bearer <api key>` (cached briefly, since every API call needs one; a
 * revoked key stops working within CACHE_MS) or by the web app's session cookie (looked up every time, so
 * revoking a session is immediate). Cookie requests that change something must echo the session's CSRF token
 * in a header, which another site can't read or set. Then the route's required role is checked.
 */
export function createAuthenticate(store: StoreContext) {
  const cache = new Map<string, { auth: Auth; at: number }>();

  async function byKey(key: string): Promise<Auth | null> {
    const hit = cache.get(key);
    if (hit && store.now() - hit.at < CACHE_MS) return hit.auth;
    const found = await workspaceStore.findApiKey(store, key);
    if (!found) return null;
    const auth: Auth = {
      workspaceId: found.workspaceId,
      actor: { type: "api", id: found.id },
      role: "admin",
      session: null,
    };
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { auth, at: store.now() });
    return auth;
  }

  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    let auth: Auth | null;
    if (header !== undefined) {
      const key = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
      if (!key)
        return sendProblem(
          reply,
          problem(401, "unauthorized", "Send an API key as `Authorization: Bearer <key>`"),
        );
      auth = await byKey(key);
      if (!auth) return sendProblem(reply, problem(401, "unauthorized", "The API key is unknown or revoked"));
    } else {
      const token = readCookie(request, SESSION_COOKIE);
      const session = token ? await sessionStore.findByToken(store, token) : null;
      if (!session) {
        return sendProblem(
          reply,
          problem(
            401,
            "unauthorized",
            token
              ? "Your session has ended; sign in again"
              : "Sign in, or send an API key as `Authorization: Bearer <key>`",
          ),
        );
      }
      if (!SAFE_METHODS.has(request.method)) {
        const sent = request.headers[CSRF_HEADER];
        if (typeof sent !== "string" || !sameToken(sent, session.csrfToken)) {
          return sendProblem(
            reply,
            problem(403, "csrf", `Send the session's CSRF token in the ${CSRF_HEADER} header`),
          );
        }
      }
      auth = {
        workspaceId: session.workspaceId,
        actor: { type: "agent", id: session.userId },
        role: session.user.role,
        session: { id: session.id, csrfToken: session.csrfToken, user: session.user },
      };
    }
    const needed = requiredRole(request.method, request.routeOptions.url ?? request.url.split("?")[0]!);
    if (!roleAtLeast(auth.role, needed)) {
      return sendProblem(
        reply,
        problem(403, "forbidden", `This needs the ${needed} role; you are signed in as ${auth.role}`),
      );
    }
    request.auth = auth;
  };
}
