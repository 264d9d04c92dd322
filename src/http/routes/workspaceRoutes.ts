import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { AppError } from "../../core/errors.ts";
import { workspacePatchSchema, workspaceSettingsSchema } from "../../core/workspace/workspaceSchema.ts";
import { type Category, categoryStore } from "../../store/categoryStore.ts";
import { type Workspace, workspaceStore } from "../../store/workspaceStore.ts";
import { iso } from "../resources/iso.ts";

export const workspaceResource = z
  .object({
    id: z.string(),
    name: z.string(),
    brand_name: z.string(),
    closing_notes: z.object({
      category: z.enum(["required", "optional"]),
      summary: z.enum(["required", "optional"]),
    }),
    settings: workspaceSettingsSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Workspace" });

const toWorkspaceResource = (w: Workspace) => ({
  id: w.id,
  name: w.name,
  brand_name: w.brandName,
  closing_notes: w.closingNotes,
  settings: w.settings,
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
});

export const categoryResource = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    archived: z.boolean(),
    position: z.number(),
  })
  .meta({ id: "ConversationCategory" });
const toCategoryResource = (c: Category) => ({
  key: c.key,
  name: c.name,
  description: c.description,
  archived: c.archived,
  position: c.position,
});

const categoryKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lowercase letters, digits and dashes (e.g. refunds)");

/** Workspace settings (brand, closing-notes policy) and conversation categories. */
export function workspaceRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["Workspace"];

  r.get("/workspace", { schema: { tags, response: { 200: workspaceResource } } }, async (req) =>
    toWorkspaceResource(await workspaceStore.get(deps.store, req.auth.workspaceId)),
  );

  r.patch(
    "/workspace",
    { schema: { tags, body: workspacePatchSchema, response: { 200: workspaceResource } } },
    async (req) => {
      // Auto-close closes with this category unattended: refuse one that would fail every time.
      const autoCategory = req.body.settings?.auto_close?.category;
      if (autoCategory) {
        try {
          await categoryStore.resolveForClose(deps.store, req.auth.workspaceId, autoCategory);
        } catch (err) {
          if (err instanceof AppError)
            throw AppError.validation("settings.auto_close.category", err.errors[0]?.message ?? err.detail);
          throw err;
        }
      }
      // Nor one that closes without what the closing-notes policy (as it will be after this patch) requires.
      const current = await workspaceStore.get(deps.store, req.auth.workspaceId);
      const policy = { ...current.closingNotes, ...req.body.closing_notes };
      const autoClose =
        req.body.settings && "auto_close" in req.body.settings
          ? req.body.settings.auto_close
          : current.settings.auto_close;
      if (autoClose) {
        const missing = [
          policy.category === "required" && !autoClose.category ? "category" : null,
          policy.summary === "required" && !autoClose.summary?.trim() ? "summary" : null,
        ].filter((f) => f !== null);
        if (missing.length)
          throw new AppError(
            "validation",
            `auto-close would fail every time: the closing notes require a ${missing.join(" and a ")}`,
            missing.map((f) => ({
              field: `settings.auto_close.${f}`,
              message: `the workspace's closing notes require a ${f}; give auto-close one`,
            })),
          );
      }
      return toWorkspaceResource(await workspaceStore.update(deps.store, req.auth.workspaceId, req.body));
    },
  );

  r.get(
    "/conversation-categories",
    {
      schema: {
        tags,
        querystring: z.strictObject({ include_archived: z.enum(["true", "false"]).default("true") }),
        response: { 200: z.object({ data: z.array(categoryResource) }) },
      },
    },
    async (req) => ({
      data: (
        await categoryStore.list(deps.store, req.auth.workspaceId, req.query.include_archived === "true")
      ).map(toCategoryResource),
    }),
  );

  r.post(
    "/conversation-categories",
    {
      schema: {
        tags,
        body: z.strictObject({
          key: categoryKey.optional(),
          name: z.string().trim().min(1).max(80),
          description: z.string().trim().max(500).nullable().optional(),
        }),
        response: { 201: categoryResource },
      },
    },
    async (req, reply) => {
      const key =
        req.body.key ??
        req.body.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .replace(/^-+|-+$/g, "")
          .slice(0, 63);
      const created = await categoryStore.create(deps.store, req.auth.workspaceId, {
        ...req.body,
        key: key || "category",
      });
      return reply.code(201).send(toCategoryResource(created));
    },
  );

  r.patch(
    "/conversation-categories/:key",
    {
      schema: {
        tags,
        params: z.object({ key: z.string().max(100) }),
        body: z.strictObject({
          name: z.string().trim().min(1).max(80).optional(),
          description: z.string().trim().max(500).nullable().optional(),
          archived: z.boolean().optional(),
          position: z.number().int().min(0).max(10_000).optional(),
        }),
        response: { 200: categoryResource },
      },
    },
    async (req) =>
      toCategoryResource(
        await categoryStore.update(deps.store, req.auth.workspaceId, req.params.key, req.body),
      ),
  );
}
