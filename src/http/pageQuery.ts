import { z } from "zod";

/** Shared pagination query fields: keyset cursors, never offsets. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};
