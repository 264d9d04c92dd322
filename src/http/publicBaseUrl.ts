import type { FastifyRequest } from "fastify";

/**
 * The origin a link handed out by the API should use: `PUBLIC_URL` when set (what shops and Meta reach us at,
 * behind whatever proxy), otherwise the origin this request came to (`X-Forwarded-Proto`/`-Host` count only
 * from trusted proxies, see `PARLEY_TRUST_PROXY`).
 */
export function publicBaseUrl(req: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}
