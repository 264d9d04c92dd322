import { describe, expect, test } from "vitest";
import { validateWorkflow, type WorkflowRefs } from "../../../src/core/workflow/validateWorkflow.ts";

const refs: WorkflowRefs = { categories: [], channels: [], workflows: [] };
const issues = (steps: unknown[], trigger: unknown = { type: "manual" }) => {
  const r = validateWorkflow({ name: "T", trigger, steps }, refs);
  return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
};

// Definitions that saved and then failed on every run: each is now refused on save, at its path.
describe("step checks that would otherwise fail every run", () => {
  test("http_request: a literal URL must be http(s); a templated one must start with its scheme", () => {
    const http = (url: string) => issues([{ id: "h", type: "http_request", url }]);
    expect(http("not a url")).toEqual(["steps[0].url: not a URL"]);
    expect(http("ftp://x.example/a")).toEqual(["steps[0].url: only http and https URLs are allowed"]);
    expect(http("shop.example/{{ trigger.id }}")).toEqual([
      "steps[0].url: must start with http:// or https://",
    ]);
    expect(http("https://shop.example/orders/{{ trigger.id }}")).toEqual([]);
    expect(http("{{ trigger.callback_url }}")).toEqual([]);
    expect(http("HTTPS://shop.example/a")).toEqual([]);
  });

  test("reply buttons and list rows need distinct ids", () => {
    const buttons = [
      { id: "a", title: "One" },
      { id: "a", title: "Two" },
    ];
    expect(issues([{ id: "s", type: "send_message", text: "Pick", buttons }])).toEqual([
      'steps[0].buttons[1].id: duplicate id "a"',
    ]);
    expect(issues([{ id: "q", type: "ask_question", text: "Pick", buttons }])).toEqual([
      'steps[0].buttons[1].id: duplicate id "a"',
    ]);
    const row = (id: string) => ({ id, title: id });
    const list = { button: "Menu", sections: [{ rows: [row("x"), row("y")] }, { rows: [row("y")] }] };
    expect(issues([{ id: "s", type: "send_message", text: "Pick", list }])).toEqual([
      'steps[0].list.sections[1].rows[0].id: duplicate id "y"',
    ]);
  });

  test("Liquid include, render and layout are refused: there are no files to include", () => {
    const summary = (text: string) => issues([{ id: "c", type: "add_comment", text }]);
    expect(summary('{% include "footer" %}')[0]).toMatch(
      /^steps\[0\]\.text: invalid Liquid: \{% include %\} is not available: templates cannot include other files/,
    );
    expect(summary('{% render "x" %}')[0]).toMatch(/\{% render %\} is not available/);
    expect(summary("{% layout 'x' %}")[0]).toMatch(/\{% layout %\} is not available/);
  });

  test("durations: months and years are named; timeouts and inactivity longer than zero; waits not negative", () => {
    expect(issues([{ id: "w", type: "wait", duration: "P1Y" }])).toEqual([
      "steps[0].duration: must be in weeks, days, hours, minutes or seconds (P30D, not P1M or P1Y): months and years vary in length",
    ]);
    expect(issues([{ id: "w", type: "wait", duration: "-PT1H" }])).toEqual([
      "steps[0].duration: must not be negative",
    ]);
    expect(issues([{ id: "w", type: "wait", duration: "PT0S" }])).toEqual([]);
    expect(issues([{ id: "q", type: "ask_question", text: "?", timeout: "P0D" }])).toEqual([
      "steps[0].timeout: must be longer than zero",
    ]);
    const audience = (last_inbound_before: string) => ({ type: "manual", audience: { last_inbound_before } });
    const comment = [{ id: "c", type: "add_comment", text: "x" }];
    expect(issues(comment, audience("-P30D"))).toEqual([
      "trigger.audience.last_inbound_before: must be longer than zero",
    ]);
    expect(issues(comment, audience("P30D"))).toEqual([]);
    expect(issues(comment, { type: "date_field", field: "appointment_at", offset: "-PT24H" })).toEqual([]);
  });

  test("a close step gives what the workspace's closing notes require", () => {
    const required = { category: "required", summary: "required" } as const;
    const withPolicy = (step: Record<string, unknown>) => {
      const r = validateWorkflow(
        { name: "T", trigger: { type: "manual" }, steps: [{ id: "c", type: "close_conversation", ...step }] },
        {
          categories: [{ key: "sales", name: "Sales", archived: false }],
          channels: [],
          workflows: [],
          closingNotes: required,
        },
      );
      return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
    };
    expect(withPolicy({})).toEqual([
      "steps[0].category: this workspace requires a category to close a conversation",
      "steps[0].summary: this workspace requires a summary to close a conversation",
    ]);
    expect(withPolicy({ category: "sales", summary: "  " })).toEqual([
      "steps[0].summary: this workspace requires a summary to close a conversation",
    ]);
    expect(withPolicy({ category: "sales", summary: "Order {{ trigger.id }}" })).toEqual([]);
    expect(issues([{ id: "c", type: "close_conversation" }])).toEqual([]);
  });
});
