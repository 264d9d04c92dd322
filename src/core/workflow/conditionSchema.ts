import { z } from "zod";

export const comparisonSchema = z.strictObject({
  var: z
    .string()
    .min(1)
    .max(200)
    .describe("Dotted path into the run's data: answer.id, contact.fields.plan, contact.tags, time.hour"),
  op: z.enum([
    "eq",
    "neq",
    "contains",
    "not_contains",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
    "not_exists",
    "in",
    "matches",
  ]),
  value: z.unknown().optional(),
});

export type Condition =
  | z.infer<typeof comparisonSchema>
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** A branch condition: a comparison, or all / any / not of conditions. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    comparisonSchema,
    z.strictObject({ all: z.array(conditionSchema).min(1).max(20) }),
    z.strictObject({ any: z.array(conditionSchema).min(1).max(20) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);
