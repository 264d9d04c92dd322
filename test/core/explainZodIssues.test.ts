import { describe, expect, test } from "vitest";
import type { z } from "zod";
import { explainZodIssues, type RawZodIssue } from "../../src/core/explainZodIssues.ts";
import { audienceSchema } from "../../src/core/workflow/audienceSchema.ts";
import { conditionSchema } from "../../src/core/workflow/conditionSchema.ts";
import { updateContactStepSchema } from "../../src/core/workflow/steps/updateContactStep.ts";

const explain = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error("expected a failure");
  return explainZodIssues(r.error.issues as RawZodIssue[]).map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("zod's 'Invalid input' explained", () => {
  test("a union names what is wrong in the option the input came closest to, however deep", () => {
    expect(explain(conditionSchema, { var: "x", op: "bogus", value: 1 })).toEqual([
      'op: Invalid option: expected one of "eq"|"neq"|"contains"|"not_contains"|"gt"|"gte"|"lt"|"lte"|"exists"|"not_exists"|"in"|"matches"',
    ]);
    expect(
      explain(conditionSchema, { all: [{ var: "x", op: "eq" }, { not: { var: "y", op: "zz" } }] })[0],
    ).toMatch(/^all\.1\.not\.op: Invalid option/);
    expect(explain(conditionSchema, { all: "x" })).toEqual([
      "all: Invalid input: expected array, received string",
    ]);
  });

  test("a value of none of a union's types lists the types", () => {
    expect(explain(audienceSchema, { fields: { a: {} } })).toEqual([
      "fields.a: Invalid input: expected string, number or boolean, received object",
    ]);
  });

  test("a bad record key says what is wrong with it", () => {
    expect(
      explain(updateContactStepSchema, { id: "u", type: "update_contact", fields: { "": "x" } }),
    ).toEqual(['fields.: the key "": Too small: expected string to have >=1 characters']);
  });
});
