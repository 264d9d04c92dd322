import { z } from "zod";
import type { Contact } from "../../store/contactStore.ts";
import { iso } from "./iso.ts";

export const contactResource = z
  .object({
    id: z.string(),
    phone: z.string().describe("E.164"),
    wa_id: z.string().nullable(),
    name: z.string().nullable(),
    fields: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    opted_out: z.boolean(),
    marketing_opt_out: z.boolean(),
    timezone: z.string().nullable(),
    last_inbound_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Contact" });

export function toContactResource(c: Contact): z.infer<typeof contactResource> {
  return {
    id: c.id,
    phone: c.phone,
    wa_id: c.waId,
    name: c.name,
    fields: c.fields,
    tags: c.tags,
    opted_out: c.optedOut,
    marketing_opt_out: c.marketingOptOut,
    timezone: c.timezone,
    last_inbound_at: iso(c.lastInboundAt),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}
