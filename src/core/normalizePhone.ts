import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { AppError } from "./errors.ts";

/**
 * Valid inputs already seen: parsing with the full metadata costs ~20 µs, and the same number is normalized
 * again and again (a trigger and then the contact upsert, a customer's every message).
 */
const normalized = new Map<string, string>();

/**
 * Normalizes a phone number to E.164, or throws a validation error naming `field`.
 * WhatsApp ids (`wa_id`) are E.164 digits without the `+`, so a bare digit string is read as international.
 * @example normalizePhone("+1 (415) 555-0123") // "+14155550123"
 */
export function normalizePhone(input: string, field = "phone"): string {
  const known = normalized.get(input);
  if (known) return known;
  const trimmed = input.trim();
  const candidate = /^\d{8,15}$/.test(trimmed) ? `+${trimmed}` : trimmed;
  const parsed = parsePhoneNumberFromString(candidate);
  if (!parsed?.isValid()) {
    throw AppError.validation(
      field,
      `"${input}" is not a valid phone number in international format (e.g. +14155550123)`,
    );
  }
  if (normalized.size >= 10_000) normalized.clear();
  normalized.set(input, parsed.number);
  return parsed.number;
}
