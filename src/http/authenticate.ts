import type { FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../core/conversation/conversationSchema.ts";
import type { StoreContext } from "../store/storeContext.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import { problem, sendProblem } from "./problem.ts";

export interface Auth {
  workspaceId: string;
  actor: Actor;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: Auth;
  }
}

const CACHE_MS = 30_000;

/**
 * Bearer API-key authentication. Keys are looked up by hash and cached briefly, since every API call needs one;
 * a revoked key stops working within CACHE_MS.
 */
export function createAuthenticate(store: StoreContext) {
  const cache = new Map<string, { auth: Auth; at: number }>();
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const key = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    if (!key) {
      return sendProblem(
        reply,
        problem(401, "unauthorized", "Send an API key as `Authorization: Bearer <key>`"),
      );
    }
    const hit = cache.get(key);
    if (hit && store.now() - hit.at < CACHE_MS) {
      request.auth = hit.auth;
      return;
    }
    const found = await workspaceStore.findApiKey(store, key);
    if (!found) return sendProblem(reply, problem(401, "unauthorized", "The API key is unknown or revoked"));
    const auth: Auth = { workspaceId: found.workspaceId, actor: { type: "api", id: found.id } };
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { auth, at: store.now() });
    request.auth = auth;
  };
}
