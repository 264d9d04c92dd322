import { z } from "zod";

/** Owners and admins run the workspace; agents work the inbox. */
export const roleSchema = z.enum(["owner", "admin", "agent"]);
export type Role = z.infer<typeof roleSchema>;

const rank: Record<Role, number> = { agent: 0, admin: 1, owner: 2 };

/** True when `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}
