import { z } from "zod";

/** Shared pagination query fields: keyset cursors, never offsets. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

/** For histories: `oldest` first (reading order) or `newest` first (what a chat view shows first). */
export const orderQuery = z
  .enum(["oldest", "newest"])
  .default("oldest")
  .describe("oldest: oldest first; newest: newest first (a cursor continues towards older items)");
