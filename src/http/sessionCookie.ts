import type { FastifyReply, FastifyRequest } from "fastify";

export const SESSION_COOKIE = "parley_session";

/** Reads one cookie from the request; enough for our single cookie without a cookie-parsing plugin. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Sets (or, with `null`, clears) the session cookie: httpOnly so scripts can't read it, SameSite=Lax so other
 * sites' forms don't carry it on POSTs, Secure whenever the request came over HTTPS.
 */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string | null,
  maxAgeMs = 0,
): void {
  const parts = [
    `${SESSION_COOKIE}=${token ? encodeURIComponent(token) : ""}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${token ? Math.floor(maxAgeMs / 1000) : 0}`,
  ];
  if (request.protocol === "https") parts.push("Secure");
  reply.header("set-cookie", parts.join("; "));
}
