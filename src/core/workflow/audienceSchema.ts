import { z } from "zod";
import { positiveDurationSchema } from "./stepBase.ts";

/** Which contacts a schedule or manual batch reaches. Every condition given must hold. */
export const audienceSchema = z.strictObject({
  tags: z.array(z.string().min(1).max(64)).max(20).optional().describe("contacts with all of these tags"),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  last_inbound_before: positiveDurationSchema
    .optional()
    .describe("inactive for at least this long, e.g. P30D"),
  include_opted_out: z.boolean().optional(),
});
export type Audience = z.infer<typeof audienceSchema>;
