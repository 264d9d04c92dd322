import { describe, expect, test } from "vitest";
import { checkClosingNotes } from "../../src/core/conversation/checkClosingNotes.ts";
import { SUMMARY_MAX } from "../../src/core/conversation/conversationSchema.ts";
import { AppError } from "../../src/core/errors.ts";

const optional = { category: "optional", summary: "optional" } as const;
const required = { category: "required", summary: "required" } as const;

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("validation");
    return (err as AppError).errors.map((e) => e.field);
  }
  throw new Error("expected a validation error");
}

describe("checkClosingNotes", () => {
  test("optional policy accepts nothing and turns blanks into null", () => {
    expect(checkClosingNotes(optional, {})).toEqual({ category: null, summary: null });
    expect(checkClosingNotes(optional, { category: "  ", summary: "\n\t" })).toEqual({
      category: null,
      summary: null,
    });
    expect(checkClosingNotes(optional, { category: null, summary: null })).toEqual({
      category: null,
      summary: null,
    });
  });

  test("trims what is given", () => {
    expect(checkClosingNotes(required, { category: "  sales ", summary: "  Lead confirmed.  " })).toEqual({
      category: "sales",
      summary: "Lead confirmed.",
    });
  });

  test("required fields that are missing or blank are all named at once", () => {
    expect(fieldsOf(() => checkClosingNotes(required, {}))).toEqual(["category", "summary"]);
    expect(fieldsOf(() => checkClosingNotes(required, { category: "sales", summary: "   " }))).toEqual([
      "summary",
    ]);
    expect(fieldsOf(() => checkClosingNotes(required, { summary: "ok" }))).toEqual(["category"]);
    expect(
      fieldsOf(() => checkClosingNotes({ category: "required", summary: "optional" }, { summary: "x" })),
    ).toEqual(["category"]);
    expect(
      fieldsOf(() => checkClosingNotes({ category: "optional", summary: "required" }, { category: "x" })),
    ).toEqual(["summary"]);
  });

  test("the detail mentions every missing field", () => {
    try {
      checkClosingNotes(required, {});
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).detail).toMatch(/category/);
      expect((err as AppError).detail).toMatch(/summary/);
    }
  });

  test(`summary is limited to ${SUMMARY_MAX} characters after trimming`, () => {
    const max = "x".repeat(SUMMARY_MAX);
    expect(checkClosingNotes(optional, { summary: max }).summary).toHaveLength(SUMMARY_MAX);
    expect(checkClosingNotes(optional, { summary: `  ${max}  ` }).summary).toBe(max);
    expect(fieldsOf(() => checkClosingNotes(optional, { summary: `${max}x` }))).toEqual(["summary"]);
  });
});
