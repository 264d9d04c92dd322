import type { Condition } from "./conditionSchema.ts";
import { safeRegex } from "./safeRegex.ts";

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

/**
 * Whether a branch condition holds over the run's data. A `matches` pattern stored before patterns were checked
 * may not compile: it matches nothing and `onInvalidRegex` hears about it.
 */
export function evaluateCondition(
  c: Condition,
  scope: Record<string, unknown>,
  onInvalidRegex?: (pattern: string, error: string) => void,
): boolean {
  if ("all" in c) return c.all.every((x) => evaluateCondition(x, scope, onInvalidRegex));
  if ("any" in c) return c.any.some((x) => evaluateCondition(x, scope, onInvalidRegex));
  if ("not" in c) return !evaluateCondition(c.not, scope, onInvalidRegex);
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
    case "matches": {
      const pattern = typeof expected === "number" ? String(expected) : expected;
      if (typeof pattern !== "string") {
        onInvalidRegex?.(String(pattern), "the pattern is not a string");
        return false;
      }
      return (
        typeof actual === "string" &&
        safeRegex.test(pattern, actual, (error) => onInvalidRegex?.(pattern, error))
      );
    }
    default: {
      const never: never = c.op;
      return never;
    }
  }
}
