import type { Condition } from "./conditionSchema.ts";

/** Reads a dotted path (`contact.fields.plan`, `answer.id`) from the run's data. */
export function readPath(scope: Record<string, unknown>, path: string): unknown {
  let cur: unknown = scope;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

// People type "Yes" and buttons say "yes": strings compare trimmed and case-insensitively.
const norm = (v: unknown): unknown => (typeof v === "string" ? v.trim().toLowerCase() : v);
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));

/** Whether a branch condition holds over the run's data. */
export function evaluateCondition(c: Condition, scope: Record<string, unknown>): boolean {
  if ("all" in c) return c.all.every((x) => evaluateCondition(x, scope));
  if ("any" in c) return c.any.some((x) => evaluateCondition(x, scope));
  if ("not" in c) return !evaluateCondition(c.not, scope);
  const actual = readPath(scope, c.var);
  const expected = c.value;
  switch (c.op) {
    case "exists":
      return actual !== undefined && actual !== null && actual !== "";
    case "not_exists":
      return actual === undefined || actual === null || actual === "";
    case "eq":
      return (
        norm(actual) === norm(expected) || (actual != null && String(norm(actual)) === String(norm(expected)))
      );
    case "neq":
      return !evaluateCondition({ ...c, op: "eq" }, scope);
    case "contains":
      if (Array.isArray(actual)) return actual.some((a) => norm(a) === norm(expected));
      return typeof actual === "string" && String(norm(actual)).includes(String(norm(expected)));
    case "not_contains":
      return !evaluateCondition({ ...c, op: "contains" }, scope);
    case "in":
      return Array.isArray(expected) && expected.some((e) => norm(e) === norm(actual));
    case "gt":
      return num(actual) > num(expected);
    case "gte":
      return num(actual) >= num(expected);
    case "lt":
      return num(actual) < num(expected);
    case "lte":
      return num(actual) <= num(expected);
    case "matches":
      try {
        return typeof actual === "string" && new RegExp(String(expected), "i").test(actual);
      } catch {
        return false;
      }
    default: {
      const never: never = c.op;
      return never;
    }
  }
}
