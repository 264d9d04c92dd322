import { z } from "zod";
import { roleSchema } from "../../core/auth/roleSchema.ts";
import type { User } from "../../store/userStore.ts";
import { iso } from "./iso.ts";

export const userResource = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "User" });

export function toUserResource(u: User): z.infer<typeof userResource> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    created_at: iso(u.createdAt),
  };
}
