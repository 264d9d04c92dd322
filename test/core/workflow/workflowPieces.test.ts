import { describe, expect, test } from "vitest";
import { evaluateCondition } from "../../../src/core/workflow/evaluateCondition.ts";
import { renderLiquid } from "../../../src/core/workflow/liquidRenderer.ts";
import { parseDuration } from "../../../src/core/workflow/parseDuration.ts";
import { WORKFLOW_LIMITS } from "../../../src/core/workflow/workflowLimits.ts";
import { quietHoursEnd } from "../../../src/engine/checkGuardrails.ts";
import { isPrivateAddress } from "../../../src/engine/isPrivateAddress.ts";
import { matchTrigger } from "../../../src/engine/matchTrigger.ts";

describe("durations", () => {
  test("ISO-8601 durations in ms", () => {
    expect(parseDuration("PT24H")).toBe(86_400_000);
    expect(parseDuration("P30D")).toBe(30 * 86_400_000);
    expect(parseDuration("PT0.5S")).toBe(500);
    expect(parseDuration("-PT1H")).toBe(-3_600_000);
    expect(parseDuration("P1DT2H")).toBe(93_600_000);
    for (const bad of ["", "P", "PT", "24h", "P1M2", "1D"]) expect(parseDuration(bad)).toBeNull();
  });
});

describe("Liquid personalization", () => {
  const scope = {
    contact: { first_name: "Riya", fields: { plan: "gold" } },
    answer: null,
    trigger: { order_id: "A-1" },
  };
  test("renders variables and filters; unknown variables are empty", async () => {
    expect(await renderLiquid("Hi {{ contact.first_name }}, {{ trigger.order_id }}", scope)).toBe(
      "Hi Riya, A-1",
    );
    expect(await renderLiquid("{{ answer.title | default: 'no reply' }}", scope)).toBe("no reply");
    expect(await renderLiquid("[{{ nothing.here }}]", scope)).toBe("[]");
    expect(await renderLiquid("{{ contact.fields.plan | upcase }}", scope)).toBe("GOLD");
  });
  test("no file system, and output is capped", async () => {
    await expect(renderLiquid("{% include '/etc/passwd' %}", scope)).rejects.toThrow();
    const out = await renderLiquid(
      "{% for i in (1..500) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}",
      scope,
    );
    expect(out.length).toBe(WORKFLOW_LIMITS.renderedChars);
  });
});

describe("branch conditions", () => {
  const scope = { answer: { id: "Yes" }, contact: { tags: ["vip"], fields: { age: 30 } }, time: { hour: 9 } };
  test("comparisons, case-insensitive strings, tags, numbers, all/any/not", () => {
    expect(evaluateCondition({ var: "answer.id", op: "eq", value: "yes" }, scope)).toBe(true);
    expect(evaluateCondition({ var: "contact.tags", op: "contains", value: "VIP" }, scope)).toBe(true);
    expect(evaluateCondition({ var: "contact.fields.age", op: "gte", value: 18 }, scope)).toBe(true);
    expect(evaluateCondition({ var: "contact.fields.missing", op: "exists" }, scope)).toBe(false);
    expect(
      evaluateCondition(
        {
          all: [
            { var: "time.hour", op: "gte", value: 9 },
            { var: "time.hour", op: "lt", value: 17 },
          ],
        },
        scope,
      ),
    ).toBe(true);
    expect(evaluateCondition({ not: { var: "answer.id", op: "in", value: ["no", "maybe"] } }, scope)).toBe(
      true,
    );
    expect(evaluateCondition({ var: "answer.id", op: "matches", value: "^y" }, scope)).toBe(true);
  });
});

describe("trigger matching", () => {
  test("conversation_closed filters by category key or name", () => {
    const t = { type: "conversation_closed" as const, categories: ["Support"] };
    expect(
      matchTrigger(t, {
        type: "conversation.closed",
        payload: { category: "support", categoryName: "Support" },
      }),
    ).toBe(true);
    expect(
      matchTrigger(t, { type: "conversation.closed", payload: { category: "sales", categoryName: "Sales" } }),
    ).toBe(false);
  });
  test("inbound keywords exact / contains / regex, only on new conversations by default", () => {
    const t = {
      type: "inbound_message" as const,
      when: "no_open_conversation" as const,
      keywords: [
        { match: "exact" as const, value: "menu" },
        { match: "contains" as const, value: "refund" },
        { match: "regex" as const, value: "^order\\s+\\d+$" },
      ],
    };
    const e = (text: string, opens = true) => ({
      type: "message.created",
      payload: { direction: "inbound" },
      text,
      opensConversation: opens,
    });
    expect(matchTrigger(t, e(" MENU "))).toBe(true);
    expect(matchTrigger(t, e("I want a Refund please"))).toBe(true);
    expect(matchTrigger(t, e("order 42"))).toBe(true);
    expect(matchTrigger(t, e("menus"))).toBe(false);
    expect(matchTrigger(t, e("menu", false))).toBe(false);
    expect(matchTrigger({ ...t, when: "always" }, e("menu", false))).toBe(true);
  });
  test("contact_updated on a field or a gained tag", () => {
    const t = { type: "contact_updated" as const, fields: ["plan"], tags: ["vip"] };
    expect(matchTrigger(t, { type: "contact.updated", payload: { changes: ["fields.plan"] } })).toBe(true);
    expect(matchTrigger(t, { type: "contact.updated", payload: { changes: ["tags"] }, tags: ["vip"] })).toBe(
      true,
    );
    expect(matchTrigger(t, { type: "contact.updated", payload: { changes: ["tags"] }, tags: ["new"] })).toBe(
      false,
    );
    expect(matchTrigger(t, { type: "contact.updated", payload: { changes: ["name"] } })).toBe(false);
  });
});

describe("guardrail helpers", () => {
  test("quiet hours across midnight in the contact's time zone", () => {
    const quiet = { start: "21:00", end: "08:00" };
    const at = Date.parse("2026-01-10T22:30:00Z");
    expect(quietHoursEnd(at, quiet, "UTC")).toBe(Date.parse("2026-01-11T08:00:00Z"));
    expect(quietHoursEnd(Date.parse("2026-01-10T12:00:00Z"), quiet, "UTC")).toBeNull();
    // 12:00 UTC is 21:30 in Tokyo: quiet there.
    expect(quietHoursEnd(Date.parse("2026-01-10T12:30:00Z"), quiet, "Asia/Tokyo")).toBe(
      Date.parse("2026-01-10T23:00:00Z"),
    );
    expect(quietHoursEnd(at, null, "UTC")).toBeNull();
  });
  test("private network addresses", () => {
    for (const ip of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.0.1",
      "172.16.5.5",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      // What URL parsing makes of [::ffff:127.0.0.1], and other IPv6 spellings of private IPv4 addresses.
      new URL("http://[::ffff:127.0.0.1]:3199/").hostname.replace(/^\[|\]$/g, ""),
      "::ffff:7f00:1",
      "::ffff:a9fe:a9fe",
      "::ffff:a00:1",
      "0:0:0:0:0:ffff:c0a8:1",
      "::7f00:1",
      "64:ff9b::a9fe:a9fe",
      "::",
      "fe80::1%eth0",
      "fec0::1",
      "ff02::1",
      "224.0.0.1",
      "0.0.0.0",
      "not an address",
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of [
      "8.8.8.8",
      "172.32.0.1",
      "2606:4700::1111",
      "::ffff:808:808",
      "64:ff9b::808:808",
      "2001:4860:4860::8888",
    ])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });
});
