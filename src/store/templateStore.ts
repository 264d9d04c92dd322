import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import { configMemo } from "./configMemo.ts";
import type { TemplateRow, TemplatesTable } from "./databaseSchema.ts";
import type { Db, StoreContext } from "./storeContext.ts";

export interface Template {
  id: string;
  channelId: string;
  metaId: string | null;
  name: string;
  language: string;
  category: TemplatesTable["category"];
  status: string;
  parameterFormat: "positional" | "named";
  bodyParamCount: number;
  paramNames: string[];
  components: unknown[];
  source: TemplatesTable["source"];
  updatedAt: number;
}

export interface TemplateInput {
  metaId?: string | null;
  name: string;
  language: string;
  category: TemplatesTable["category"];
  status: string;
  components: unknown[];
  source: TemplatesTable["source"];
}

const toTemplate = (r: TemplateRow): Template => ({
  id: r.id,
  channelId: r.channel_id,
  metaId: r.meta_id,
  name: r.name,
  language: r.language,
  category: r.category,
  status: r.status,
  parameterFormat: r.parameter_format,
  bodyParamCount: r.body_param_count,
  paramNames: JSON.parse(r.param_names),
  components: JSON.parse(r.components),
  source: r.source,
  updatedAt: r.updated_at,
});

/** Placeholders in a template's BODY text: `{{1}}` (positional) or `{{first_name}}` (named). */
export function bodyParameters(components: unknown[]): {
  format: "positional" | "named";
  count: number;
  names: string[];
} {
  const body = components.find(
    (c): c is { type: string; text?: unknown } =>
      typeof c === "object" && c !== null && "type" in c && String(c.type).toUpperCase() === "BODY",
  );
  const text = typeof body?.text === "string" ? body.text : "";
  const names = [...new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!))];
  const named = names.some((n) => !/^\d+$/.test(n));
  return { format: named ? "named" : "positional", count: names.length, names };
}

/** The local registry of a number's message templates, filled by syncing from the WABA or by hand. */
export const templateStore = {
  async upsert(
    ctx: StoreContext,
    workspaceId: string,
    channelId: string,
    input: TemplateInput,
    db: Db = ctx.db,
  ): Promise<Template> {
    const now = ctx.now();
    const params = bodyParameters(input.components);
    const values = {
      meta_id: input.metaId ?? null,
      category: input.category,
      status: input.status.toUpperCase(),
      parameter_format: params.format,
      body_param_count: params.count,
      param_names: JSON.stringify(params.names),
      components: JSON.stringify(input.components),
      source: input.source,
      updated_at: now,
    };
    await db
      .insertInto("templates")
      .values({
        id: newId(),
        workspace_id: workspaceId,
        channel_id: channelId,
        name: input.name,
        language: input.language,
        created_at: now,
        ...values,
      })
      .onConflict((oc) => oc.columns(["channel_id", "name", "language"]).doUpdateSet(values))
      .execute();
    const row = await db
      .selectFrom("templates")
      .selectAll()
      .where("channel_id", "=", channelId)
      .where("name", "=", input.name)
      .where("language", "=", input.language)
      .executeTakeFirstOrThrow();
    return toTemplate(row);
  },

  async list(ctx: StoreContext, workspaceId: string, channelId: string): Promise<Template[]> {
    const rows = await ctx.db
      .selectFrom("templates")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("channel_id", "=", channelId)
      .orderBy("name")
      .orderBy("language")
      .execute();
    return rows.map(toTemplate);
  },

  async find(
    ctx: StoreContext,
    channelId: string,
    name: string,
    language: string,
    db: Db = ctx.db,
  ): Promise<Template | null> {
    const row = await db
      .selectFrom("templates")
      .selectAll()
      .where("channel_id", "=", channelId)
      .where("name", "=", name)
      .where("language", "=", language)
      .executeTakeFirst();
    return row ? toTemplate(row) : null;
  },

  /** `find`, cached across transactions (see configMemo): workflow runs send the same few templates over and over. */
  findInTx(ctx: StoreContext, channelId: string, name: string, language: string, db: Db = ctx.db) {
    return configMemo(ctx, db, `template:${channelId}:${name}:${language}`, () =>
      this.find(ctx, channelId, name, language, db),
    );
  },

  /** The template a send refers to, or a 422 that says why it can't be used. */
  async requireSendable(
    ctx: StoreContext,
    channelId: string,
    name: string,
    language: string,
    db: Db = ctx.db,
  ): Promise<Template> {
    const t = await this.findInTx(ctx, channelId, name, language, db);
    if (!t) {
      const others = await db
        .selectFrom("templates")
        .select(["language"])
        .where("channel_id", "=", channelId)
        .where("name", "=", name)
        .execute();
      const hint = others.length
        ? ` (it exists in: ${others.map((o) => o.language).join(", ")})`
        : "; sync templates or add it first";
      throw AppError.validation(
        "template.name",
        `template "${name}" in language "${language}" is not registered for this number${hint}`,
      );
    }
    if (t.status !== "APPROVED") {
      throw AppError.validation(
        "template.name",
        `template "${name}" (${language}) is ${t.status}, only APPROVED templates can be sent`,
      );
    }
    return t;
  },
};
