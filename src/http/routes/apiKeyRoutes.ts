import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { workspaceStore } from "../../store/workspaceStore.ts";
import { iso } from "../resources/iso.ts";

export const apiKeyResource = z
  .object({ id: z.string(), name: z.string(), prefix: z.string(), created_at: z.string() })
  .meta({ id: "ApiKey" });
export const newApiKeyResource = apiKeyResource
  .extend({ key: z.string().describe("The key itself: shown this once, never again") })
  .meta({ id: "NewApiKey" });

/** API keys for scripts and integrations: list, create (the key is shown once), revoke. Admins only. */
export function apiKeyRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["API keys"];

  r.get(
    "/api-keys",
    { schema: { tags, response: { 200: z.object({ data: z.array(apiKeyResource) }) } } },
    async (req) => ({
      data: (await workspaceStore.listApiKeys(deps.store, req.auth.workspaceId)).map((k) => ({
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        created_at: iso(k.createdAt),
      })),
    }),
  );

  r.post(
    "/api-keys",
    {
      schema: {
        tags,
        body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
        response: { 201: newApiKeyResource },
      },
    },
    async (req, reply) => {
      const { id, key } = await workspaceStore.createApiKey(deps.store, req.auth.workspaceId, req.body.name);
      return reply
        .code(201)
        .send({ id, key, name: req.body.name, prefix: key.slice(0, 10), created_at: iso(deps.store.now()) });
    },
  );

  r.delete(
    "/api-keys/:id",
    { schema: { tags, params: z.object({ id: z.string().max(100) }) } },
    async (req, reply) => {
      await workspaceStore.revokeApiKey(deps.store, req.auth.workspaceId, req.params.id);
      return reply.code(204).send();
    },
  );
}
