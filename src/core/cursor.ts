import { AppError } from "./errors.ts";

/** Opaque keyset cursors: the last row's sort key, base64url-encoded JSON. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, shape: ("string" | "number")[]): (string | number)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(parsed) &&
      parsed.length === shape.length &&
      parsed.every((v, i) => typeof v === shape[i])
    ) {
      return parsed;
    }
  } catch {
    // fall through to the error below
  }
  throw AppError.validation("cursor", "is not a cursor this endpoint returned");
}
