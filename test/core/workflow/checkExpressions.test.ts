import { describe, expect, test } from "vitest";
import { validateWorkflow } from "../../../src/core/workflow/validateWorkflow.ts";

const refs = { categories: [], channels: [], workflows: [] };
const issues = (trigger: unknown, steps: unknown[] = [{ id: "a", type: "add_comment", text: "x" }]) => {
  const r = validateWorkflow({ name: "T", trigger, steps }, refs);
  return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
};
const inbound = (...values: string[]) => ({
  type: "inbound_message",
  keywords: [{ match: "exact", value: "menu" }, ...values.map((value) => ({ match: "regex", value }))],
});
const branch = (when: unknown) => [
  { id: "c", type: "branch", branches: [{ when, next: "b" }] },
  { id: "a", type: "add_comment", text: "x" },
  { id: "b", type: "add_comment", text: "y" },
];

describe("regular expressions are checked on save with the engine that runs them", () => {
  test("keyword regexes RE2 can't compile are named by path", () => {
    expect(issues(inbound("^order\\s+\\d+$", "(?i)refund|return"))).toEqual([]);
    expect(issues(inbound("(unclosed", "[a-", "(?<n>a)\\k<m>", "a(?=b)"))).toEqual([
      "trigger.keywords[1].value: invalid regular expression: missing closing ): `(unclosed`",
      "trigger.keywords[2].value: invalid regular expression: missing closing ]: `[a-`",
      "trigger.keywords[3].value: invalid regular expression: invalid escape sequence: `\\k` (RE2 has no backreferences)",
      "trigger.keywords[4].value: invalid regular expression: invalid or unsupported Perl syntax: `(?=` (RE2 has no lookahead or lookbehind)",
    ]);
    // exact and contains keywords are not patterns.
    expect(issues({ type: "inbound_message", keywords: [{ match: "contains", value: "(" }] })).toEqual([]);
  });

  test("a branch's matches value is a string RE2 compiles, at any depth of all / any / not", () => {
    const manual = { type: "manual" };
    expect(issues(manual, branch({ var: "answer.text", op: "matches", value: "^y(es)?$" }))).toEqual([]);
    expect(issues(manual, branch({ var: "trigger.x", op: "matches", value: "(bad" }))).toEqual([
      "steps[0].branches[0].when.value: invalid regular expression: missing closing ): `(bad`",
    ]);
    expect(
      issues(
        manual,
        branch({ all: [{ var: "a", op: "exists" }, { not: { var: "b", op: "matches", value: "(a)\\1" } }] }),
      ),
    ).toEqual([
      "steps[0].branches[0].when.all[1].not.value: invalid regular expression: invalid escape sequence: `\\1` (RE2 has no backreferences)",
    ]);
    for (const value of [undefined, 5, ["a"], ""])
      expect(issues(manual, branch({ var: "a", op: "matches", value }))).toEqual([
        "steps[0].branches[0].when.value: a `matches` value is a regular expression: give a non-empty string",
      ]);
  });
});

describe("a schedule's cron", () => {
  const schedule = (cron: string, timezone = "UTC") => ({ type: "schedule", cron, timezone });

  test("the standard 5 fields, and the nicknames, save", () => {
    for (const cron of ["0 10 * * 1", "*/15 9-17 * * 1-5", "0 0 29 2 *", " 0  9 * * * ", "@daily", "@hourly"])
      expect(issues(schedule(cron, "Europe/Berlin")), cron).toEqual([]);
  });

  test("seconds and years are refused: they would start a batch every second", () => {
    expect(issues(schedule("* * * * * *"))).toEqual([
      'trigger.cron: a cron has 5 fields (minute hour day-of-month month day-of-week), not 6: "* * * * * *"',
    ]);
    expect(issues(schedule("0 0 10 * * * 2030"))).toEqual([
      'trigger.cron: a cron has 5 fields (minute hour day-of-month month day-of-week), not 7: "0 0 10 * * * 2030"',
    ]);
    expect(issues(schedule("0 10 * *"))[0]).toMatch(/^trigger\.cron: a cron has 5 fields .*not 4/);
  });

  test("a cron that never fires, or doesn't parse, is refused", () => {
    expect(issues(schedule("0 0 30 2 *"))).toEqual([
      'trigger.cron: the cron "0 0 30 2 *" matches no date, so it would never fire',
    ]);
    expect(issues(schedule("0 0 31 4 *"))[0]).toMatch(/would never fire/);
    expect(issues(schedule("60 * * * *"))).toEqual([
      "trigger.cron: invalid cron expression: Invalid value for minute: 60",
    ]);
  });
});
