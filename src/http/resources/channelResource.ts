import { z } from "zod";
import type { Channel } from "../../store/channelStore.ts";
import { iso } from "./iso.ts";

export const messagingLimitSchema = z.union([
  z.literal(250),
  z.literal(2000),
  z.literal(10000),
  z.literal(100000),
  z.literal("unlimited"),
]);

/** A channel as the API shows it: never with its secrets. */
export const channelResource = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(["cloud", "sandbox"]),
    phone_number_id: z.string(),
    display_phone_number: z.string(),
    waba_id: z.string(),
    graph_base_url: z.string(),
    graph_version: z.string(),
    mps: z.number().int(),
    messaging_limit: messagingLimitSchema
      .nullable()
      .describe(
        "Unique business-initiated contacts per rolling 24 h for this number; null follows the workspace setting",
      ),
    healthy: z.boolean(),
    unhealthy_reason: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Channel" });

export function toChannelResource(c: Channel): z.infer<typeof channelResource> {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    phone_number_id: c.phoneNumberId,
    display_phone_number: c.displayPhoneNumber,
    waba_id: c.wabaId,
    graph_base_url: c.graphBaseUrl,
    graph_version: c.graphVersion,
    mps: c.mps,
    messaging_limit: c.messagingLimit,
    healthy: c.healthy,
    unhealthy_reason: c.unhealthyReason,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}
