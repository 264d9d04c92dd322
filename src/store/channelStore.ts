import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import type { ChannelRow } from "./databaseSchema.ts";
import type { StoreContext } from "./storeContext.ts";

export interface Channel {
  id: string;
  workspaceId: string;
  name: string;
  kind: "cloud" | "sandbox";
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
  graphBaseUrl: string;
  graphVersion: string;
  mps: number;
  /** The number's daily limit of unique business-initiated contacts; null follows the workspace setting. */
  messagingLimit: MessagingLimit | null;
  healthy: boolean;
  unhealthyReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ChannelSecrets {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

export type ChannelPatch = Partial<
  Pick<
    NewChannel,
    | "name"
    | "displayPhoneNumber"
    | "accessToken"
    | "appSecret"
    | "verifyToken"
    | "graphBaseUrl"
    | "graphVersion"
    | "mps"
    | "messagingLimit"
  >
>;

export interface NewChannel {
  name: string;
  kind?: "cloud" | "sandbox";
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  graphBaseUrl?: string;
  graphVersion?: string;
  mps?: number;
  messagingLimit?: MessagingLimit | null;
}

export type MessagingLimit = 250 | 2000 | 10000 | 100000 | "unlimited";

const limitOf = (v: number | null): MessagingLimit | null =>
  v === null ? null : v === 0 ? "unlimited" : (v as MessagingLimit);
const limitColumn = (v: MessagingLimit | null): number | null => (v === "unlimited" ? 0 : v);

export const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  kind: r.kind,
  phoneNumberId: r.phone_number_id,
  displayPhoneNumber: r.display_phone_number,
  wabaId: r.waba_id,
  graphBaseUrl: r.graph_base_url,
  graphVersion: r.graph_version,
  mps: r.mps,
  messagingLimit: limitOf(r.messaging_limit),
  healthy: r.healthy === 1,
  unhealthyReason: r.unhealthy_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** WhatsApp numbers connected to a workspace. Secrets are sealed with the SecretBox and never leave this module in clear except through `secrets()`. */
export const channelStore = {
  async create(ctx: StoreContext, workspaceId: string, input: NewChannel): Promise<Channel> {
    const taken = await ctx.db
      .selectFrom("channels")
      .select("id")
      .where("phone_number_id", "=", input.phoneNumberId)
      .executeTakeFirst();
    if (taken) {
      throw new AppError(
        "conflict",
        `A channel with phone_number_id ${input.phoneNumberId} is already connected`,
        [{ field: "phone_number_id", message: "already connected" }],
      );
    }
    const now = ctx.now();
    const id = newId();
    await ctx.db
      .insertInto("channels")
      .values({
        id,
        workspace_id: workspaceId,
        name: input.name,
        kind: input.kind ?? "cloud",
        phone_number_id: input.phoneNumberId,
        display_phone_number: input.displayPhoneNumber,
        waba_id: input.wabaId,
        access_token_enc: ctx.secrets.seal(input.accessToken),
        app_secret_enc: ctx.secrets.seal(input.appSecret),
        verify_token_enc: ctx.secrets.seal(input.verifyToken),
        graph_base_url: input.graphBaseUrl ?? "https://graph.facebook.com",
        graph_version: input.graphVersion ?? "v23.0",
        mps: input.mps ?? 80,
        messaging_limit: limitColumn(input.messagingLimit ?? null),
        healthy: 1,
        unhealthy_reason: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    ctx.bus.emit("channels.changed");
    return this.get(ctx, workspaceId, id);
  },

  /**
   * Changes a channel's name, limits or secrets. A new access token makes an unhealthy channel (190) healthy
   * again, which lets its held queue go out.
   */
  async update(ctx: StoreContext, workspaceId: string, id: string, patch: ChannelPatch): Promise<Channel> {
    await this.get(ctx, workspaceId, id);
    const now = ctx.now();
    await ctx.db
      .updateTable("channels")
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.displayPhoneNumber !== undefined ? { display_phone_number: patch.displayPhoneNumber } : {}),
        ...(patch.graphBaseUrl !== undefined ? { graph_base_url: patch.graphBaseUrl } : {}),
        ...(patch.graphVersion !== undefined ? { graph_version: patch.graphVersion } : {}),
        ...(patch.mps !== undefined ? { mps: patch.mps } : {}),
        ...(patch.messagingLimit !== undefined ? { messaging_limit: limitColumn(patch.messagingLimit) } : {}),
        ...(patch.appSecret !== undefined ? { app_secret_enc: ctx.secrets.seal(patch.appSecret) } : {}),
        ...(patch.verifyToken !== undefined ? { verify_token_enc: ctx.secrets.seal(patch.verifyToken) } : {}),
        ...(patch.accessToken !== undefined
          ? { access_token_enc: ctx.secrets.seal(patch.accessToken), healthy: 1, unhealthy_reason: null }
          : {}),
        updated_at: now,
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .execute();
    ctx.bus.emit("channels.changed");
    // Queued messages held while the channel was unhealthy can go now.
    if (patch.accessToken !== undefined) ctx.bus.emit("committed");
    return this.get(ctx, workspaceId, id);
  },

  async list(ctx: StoreContext, workspaceId: string): Promise<Channel[]> {
    const rows = await ctx.db
      .selectFrom("channels")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toChannel);
  },

  async get(ctx: StoreContext, workspaceId: string, id: string): Promise<Channel> {
    const row = await ctx.db
      .selectFrom("channels")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Channel", id);
    return toChannel(row);
  },

  async findByPhoneNumberId(ctx: StoreContext, phoneNumberId: string): Promise<Channel | null> {
    const row = await ctx.db
      .selectFrom("channels")
      .selectAll()
      .where("phone_number_id", "=", phoneNumberId)
      .executeTakeFirst();
    return row ? toChannel(row) : null;
  },

  async secrets(ctx: StoreContext, channelId: string): Promise<ChannelSecrets> {
    const row = await ctx.db
      .selectFrom("channels")
      .select(["access_token_enc", "app_secret_enc", "verify_token_enc"])
      .where("id", "=", channelId)
      .executeTakeFirstOrThrow();
    return {
      accessToken: ctx.secrets.open(row.access_token_enc),
      appSecret: ctx.secrets.open(row.app_secret_enc),
      verifyToken: ctx.secrets.open(row.verify_token_enc),
    };
  },
};
