import { describe, expect, test } from "vitest";
import { evaluateCondition } from "../../../src/core/workflow/evaluateCondition.ts";
import { safeRegex } from "../../../src/core/workflow/safeRegex.ts";
import { matchTrigger } from "../../../src/engine/matchTrigger.ts";

const inbound = (text: string) => ({
  type: "message.created",
  payload: { direction: "inbound" },
  text,
  opensConversation: true,
});
const keywords = (...values: string[]) => ({
  type: "inbound_message" as const,
  when: "always" as const,
  keywords: values.map((value) => ({ match: "regex" as const, value })),
});

describe("regular expressions run on RE2", () => {
  test("catastrophic backtracking patterns finish, in linear time, with the right answer", () => {
    // A backtracking engine needs about 2^n steps here: 30 characters took seconds, 4,000 would never finish.
    const text = `${"a".repeat(4000)}!`;
    expect(safeRegex.test("(a+)+$", text)).toBe(false);
    expect(safeRegex.test("^(a|aa)+$", text)).toBe(false);
    expect(safeRegex.test("(a*)*b", text)).toBe(false);
    expect(matchTrigger(keywords("(a+)+$"), inbound(text))).toBe(false);
    expect(evaluateCondition({ var: "t", op: "matches", value: "(a+)+$" }, { t: text })).toBe(false);
    expect(safeRegex.test("(a+)+!$", text)).toBe(true);
  });

  test("case-insensitive, anywhere in the text, Unicode letters too", () => {
    expect(matchTrigger(keywords("^order\\s+\\d+$"), inbound("ORDER 42"))).toBe(true);
    expect(matchTrigger(keywords("refund"), inbound("I want a REFUND please"))).toBe(true);
    expect(matchTrigger(keywords("^order\\s+\\d+$"), inbound("my order 42"))).toBe(false);
    expect(safeRegex.test("CAFÉ", "un café")).toBe(true);
    expect(
      evaluateCondition({ var: "answer.id", op: "matches", value: "^Y" }, { answer: { id: "yes" } }),
    ).toBe(true);
  });

  test("only the text's first 4,096 characters are looked at", () => {
    expect(safeRegex.TEXT_CHARS).toBe(4096);
    expect(safeRegex.test("x", `${"a".repeat(4095)}x`)).toBe(true);
    expect(safeRegex.test("x", `${"a".repeat(4096)}x`)).toBe(false);
    expect(safeRegex.test("a{10}", "a".repeat(10_000))).toBe(true);
  });

  test("what RE2 can't compile is named: syntax, backreferences, lookaround, length", () => {
    expect(safeRegex.check("^order\\s+(?P<n>\\d+)$")).toBeNull();
    expect(safeRegex.check("(?<n>a)")).toBeNull();
    expect(safeRegex.check("(unclosed")).toMatch(/missing closing \)/);
    expect(safeRegex.check("[a-")).toMatch(/missing closing \]/);
    expect(safeRegex.check("(?<n>a)\\k<m>")).toBe(
      "invalid escape sequence: `\\k` (RE2 has no backreferences)",
    );
    expect(safeRegex.check("(a)\\1")).toBe("invalid escape sequence: `\\1` (RE2 has no backreferences)");
    expect(safeRegex.check("a(?=b)")).toMatch(/\(RE2 has no lookahead or lookbehind\)$/);
    expect(safeRegex.check("(?<!a)b")).toMatch(/\(RE2 has no lookahead or lookbehind\)$/);
    expect(safeRegex.check("a".repeat(1001))).toBe("longer than 1000 characters");
  });

  test("a stored pattern that doesn't compile matches nothing, is reported, and other keywords still match", () => {
    const reported: string[] = [];
    const t = {
      type: "inbound_message" as const,
      when: "always" as const,
      keywords: [
        { match: "regex" as const, value: "(unclosed" },
        { match: "exact" as const, value: "menu" },
      ],
    };
    const onInvalid = (field: string, error: string) => reported.push(`${field}: ${error}`);
    expect(matchTrigger(t, inbound("(unclosed"), onInvalid)).toBe(false);
    expect(matchTrigger(t, inbound("Menu"), onInvalid)).toBe(true);
    expect(reported[0]).toMatch(/^trigger\.keywords\[0\]\.value: missing closing \)/);
    const bad: string[] = [];
    const c = { any: [{ var: "x", op: "matches" as const, value: "(?=a)" }] };
    expect(evaluateCondition(c, { x: "a" }, (pattern) => bad.push(pattern))).toBe(false);
    expect(bad).toEqual(["(?=a)"]);
  });
});
