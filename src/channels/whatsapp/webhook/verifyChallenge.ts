/**
 * Meta's subscription handshake: `hub.mode=subscribe`, a `hub.verify_token` we know, and `hub.challenge` to echo.
 */
export function verifyChallenge(
  query: Record<string, unknown>,
  isValidToken: (token: string) => boolean,
): { ok: true; challenge: string } | { ok: false } {
  const mode = query["hub.mode"];
  const token = query["hub.verify_token"];
  const challenge = query["hub.challenge"];
  if (
    mode !== "subscribe" ||
    typeof token !== "string" ||
    typeof challenge !== "string" ||
    challenge.length === 0
  ) {
    return { ok: false };
  }
  return isValidToken(token) ? { ok: true, challenge } : { ok: false };
}
