import type { FastifyReply, FastifyRequest } from "fastify";
import { problem, sendProblem } from "./problem.ts";

/** The path of the first string (or key) holding a NUL character, or null. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}[${i}]`);
      if (hit !== null) return hit;
    }
    return null;
  }
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      if (k.includes("\u0000")) return at;
      const hit = findNul(v, at);
      if (hit !== null) return hit;
    }
  }
  return null;
}

/**
 * PostgreSQL text cannot hold NUL (it fails the whole statement), and SQLite would store it silently, so the API
 * refuses it up front on both engines, naming the field.
 */
export async function rejectNulCharacters(request: FastifyRequest, reply: FastifyReply) {
  for (const part of [request.params, request.query, request.body]) {
    const field = findNul(part, "");
    if (field !== null) {
      const name = field || "body";
      return sendProblem(
        reply,
        problem(422, "validation", `${name}: must not contain NUL (\\u0000) characters`, [
          { field: name, message: "must not contain NUL (\\u0000) characters" },
        ]),
      );
    }
  }
}
