import { AppError } from "../../core/errors.ts";
import { type Channel, channelStore } from "../../store/channelStore.ts";
import type { StoreContext } from "../../store/storeContext.ts";
import { templateStore } from "../../store/templateStore.ts";
import { createGraphClient } from "./graph/graphClient.ts";

type Category = "MARKETING" | "UTILITY" | "AUTHENTICATION";
const isCategory = (c: string): c is Category =>
  c === "MARKETING" || c === "UTILITY" || c === "AUTHENTICATION";

/** Pulls every template of the channel's WABA into the local registry; returns how many were stored. */
export async function syncTemplates(ctx: StoreContext, channel: Channel): Promise<number> {
  const { accessToken } = await channelStore.secrets(ctx, channel.id);
  const client = createGraphClient({
    baseUrl: channel.graphBaseUrl,
    version: channel.graphVersion,
    accessToken,
    timeoutMs: 15_000,
  });
  const res = await client.listTemplates(channel.wabaId);
  if (!res.ok) {
    throw new AppError(
      "unavailable",
      `Could not fetch templates from WhatsApp: ${res.error.message ?? res.error.kind}`,
    );
  }
  let n = 0;
  for (const t of res.templates) {
    const category = String(t.category).toUpperCase();
    if (!isCategory(category)) continue;
    await templateStore.upsert(ctx, channel.workspaceId, channel.id, {
      metaId: t.id ?? null,
      name: t.name,
      language: t.language,
      category,
      status: t.status,
      components: t.components ?? [],
      source: "sync",
    });
    n++;
  }
  return n;
}
