import { describe, expect, test } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/core/cursor.ts";
import { normalizePhone } from "../../src/core/normalizePhone.ts";
import { normalizeWaId } from "../../src/core/normalizeWaId.ts";

describe("cursors", () => {
  test("round-trip", () => {
    const c = encodeCursor([1_700_000_000_000, "01a2-id"]);
    expect(decodeCursor(c, ["number", "string"])).toEqual([1_700_000_000_000, "01a2-id"]);
  });

  test.each([
    "garbage",
    "",
    encodeCursor(["x", "y"]),
    encodeCursor([1]),
    Buffer.from("{}").toString("base64url"),
  ])("%j is refused as a validation error on cursor", (bad) => {
    expect(() => decodeCursor(bad, ["number", "string"])).toThrowError(
      expect.objectContaining({ code: "validation", errors: [expect.objectContaining({ field: "cursor" })] }),
    );
  });
});

describe("phone numbers", () => {
  test.each([
    ["+1 (415) 555-0123", "+14155550123"],
    ["+14155550123", "+14155550123"],
    ["14155550123", "+14155550123"],
    ["  +44 20 7946 0958 ", "+442079460958"],
    ["+91 98765 43210", "+919876543210"],
  ])("%s → %s", (input, e164) => {
    expect(normalizePhone(input)).toBe(e164);
  });

  test.each(["12", "hello", "+1 555", "", "+999999999999999"])("%j is refused naming the field", (bad) => {
    expect(() => normalizePhone(bad, "to")).toThrowError(
      expect.objectContaining({ code: "validation", errors: [expect.objectContaining({ field: "to" })] }),
    );
  });

  test("wa ids are taken on shape only", () => {
    expect(normalizeWaId("14155550123")).toBe("+14155550123");
    expect(normalizeWaId("12345")).toBeNull();
    expect(normalizeWaId("abc")).toBeNull();
  });
});
