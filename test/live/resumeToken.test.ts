import { describe, expect, test } from "vitest";
import { resumeToken } from "../../src/live/resumeToken.ts";

describe("resumeToken", () => {
  test("an event id alone (SQLite), or with the cursor (PostgreSQL), round-trips", () => {
    expect(resumeToken.parse(resumeToken.format(42, null))).toEqual({ id: 42, final: null });
    expect(resumeToken.format(42, { tx: 900, id: 40 })).toBe("42:900:40");
    expect(resumeToken.parse("42:900:40")).toEqual({ id: 42, final: { tx: 900, id: 40 } });
  });

  test("anything else is not a token", () => {
    for (const bad of ["", "x", "-1", "1.5", "42:900", "42:900:40:1", " 42", "1234567890123456"])
      expect(resumeToken.parse(bad)).toBeNull();
  });
});
