import { z } from "zod";
import { roleSchema } from "../../core/auth/roleSchema.ts";

/** Who is calling: the signed-in person (with the CSRF token their writes must echo) or an API key. */
export const meResource = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: roleSchema }).nullable(),
    role: roleSchema,
    csrf_token: z.string().nullable(),
    session_id: z.string().nullable(),
    workspace: z.object({ id: z.string(), brand_name: z.string() }),
  })
  .meta({ id: "Me" });
