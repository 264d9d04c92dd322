/**
 * Turns a WhatsApp id (digits, as Meta sends it in webhooks) into E.164. Meta's word is final here: a sender
 * that libphonenumber would call invalid is still a real WhatsApp user, so only the shape is checked.
 */
export function normalizeWaId(waId: string): string | null {
  const digits = waId.replace(/^\+/, "");
  return /^\d{6,15}$/.test(digits) ? `+${digits}` : null;
}
