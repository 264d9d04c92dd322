import { describe, expect, test } from "vitest";
import { validateWorkflow, type WorkflowRefs } from "../../../src/core/workflow/validateWorkflow.ts";

const refs: WorkflowRefs = {
  categories: [
    { key: "sales", name: "Sales", archived: false },
    { key: "support", name: "Support", archived: false },
    { key: "old", name: "Old", archived: true },
  ],
  channels: [{ id: "ch1", name: "Main" }],
  workflows: [{ id: "wf1", name: "Feedback" }],
};

const base = (steps: unknown[], trigger: unknown = { type: "manual" }) => ({ name: "T", trigger, steps });
const issues = (def: unknown) => {
  const r = validateWorkflow(def, refs);
  return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
};

describe("workflow validation names the bad path", () => {
  test("a valid definition passes and gets defaults", () => {
    const r = validateWorkflow(base([{ id: "a", type: "close_conversation", category: "Sales" }]), refs);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.definition.once_per_contact).toBe(false);
  });

  test("canvas positions: by step id or trigger; an unknown key and a bad position are named", () => {
    const steps = [{ id: "a", type: "close_conversation" }];
    const r = validateWorkflow(
      { ...base(steps), layout: { trigger: { x: 0, y: 0 }, a: { x: 120.5, y: -40 } } },
      refs,
    );
    expect(r.ok && r.definition.layout).toEqual({ trigger: { x: 0, y: 0 }, a: { x: 120.5, y: -40 } });
    expect(issues({ ...base(steps), layout: { gone: { x: 1, y: 2 } } })).toEqual([
      'layout.gone: unknown step "gone"',
    ]);
    expect(issues({ ...base(steps), layout: { a: { x: "left", y: 2 } } })).toEqual([
      "layout.a.x: Invalid input: expected number, received string",
    ]);
  });

  test("unknown category at its step index", () => {
    const steps = [
      { id: "open", type: "open_conversation" },
      { id: "s1", type: "send_message", text: "a" },
      { id: "s2", type: "send_message", text: "b" },
      { id: "s3", type: "add_comment", text: "c" },
      { id: "close", type: "close_conversation", category: "refunds" },
    ];
    expect(issues(base(steps))).toContain('steps[4].category: unknown category "refunds"');
  });

  test("archived categories, unknown channels and unknown workflows", () => {
    expect(issues(base([{ id: "c", type: "close_conversation", category: "old" }]))).toEqual([
      'steps[0].category: category "old" is archived',
    ]);
    expect(issues(base([{ id: "o", type: "open_conversation", channel: "Nope" }]))).toEqual([
      'steps[0].channel: unknown channel "Nope"',
    ]);
    expect(issues(base([{ id: "t", type: "trigger_workflow", workflow: "Ghost" }]))).toEqual([
      'steps[0].workflow: unknown workflow "Ghost"',
    ]);
    expect(
      issues(
        base([{ id: "c", type: "close_conversation" }], { type: "conversation_closed", categories: ["x"] }),
      ),
    ).toEqual(['trigger.categories[0]: unknown category "x"']);
  });

  test("unknown step ids in next, branches, else, on_timeout and jump targets", () => {
    const steps = [
      { id: "a", type: "ask_question", text: "?", on_timeout: "nowhere" },
      {
        id: "b",
        type: "branch",
        branches: [{ when: { var: "x", op: "eq", value: 1 }, next: "ghost" }],
        else: "void",
      },
      { id: "c", type: "jump_to", target: "missing" },
    ];
    expect(issues(base(steps))).toEqual([
      'steps[0].on_timeout: unknown step "nowhere"',
      'steps[1].branches[0].next: unknown step "ghost"',
      'steps[1].else: unknown step "void"',
      'steps[2].target: unknown step "missing"',
    ]);
  });

  test("duplicate ids and unreachable steps", () => {
    expect(
      issues(
        base([
          { id: "a", type: "add_comment", text: "x" },
          { id: "a", type: "add_comment", text: "y" },
        ]),
      ),
    ).toEqual(['steps[1].id: duplicate step id "a"']);
    const steps = [
      { id: "a", type: "jump_to", target: "c" },
      { id: "b", type: "add_comment", text: "never" },
      { id: "c", type: "close_conversation" },
    ];
    expect(issues(base(steps))).toEqual(['steps[1]: step "b" is unreachable']);
  });

  test("a loop without a wait is refused; with a wait it is fine", () => {
    const loop = [
      { id: "a", type: "send_message", text: "hi" },
      { id: "b", type: "jump_to", target: "a" },
    ];
    expect(issues(base(loop))).toEqual(['steps[1].target: loop back to "a" with no wait or question in it']);
    const waited = [
      { id: "a", type: "send_message", text: "hi" },
      { id: "w", type: "wait", duration: "PT1H" },
      { id: "b", type: "jump_to", target: "a" },
    ];
    expect(issues(base(waited))).toEqual([]);
  });

  test("a workflow that would start itself before any wait or question is refused, by name or id", () => {
    const selfStart =
      "steps[1].workflow: the workflow would start itself with no wait or question before this step";
    const direct = [
      { id: "note", type: "add_comment", text: "again" },
      { id: "again", type: "trigger_workflow", workflow: "T" },
    ];
    expect(issues(base(direct))).toEqual([selfStart]);
    // A new version names its workflow by id too, and its stored name is not a known other workflow.
    const byId = [direct[0], { id: "again", type: "trigger_workflow", workflow: "wf1" }];
    const saved = validateWorkflow(base(byId), { ...refs, selfId: "wf1" });
    expect(saved.ok ? [] : saved.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([selfStart]);
    // One path without a wait is enough; a wait after the start doesn't help.
    const branched = [
      {
        id: "b",
        type: "branch",
        branches: [{ when: { var: "contact.tags", op: "contains", value: "vip" }, next: "w" }],
        else: "again",
      },
      { id: "w", type: "wait", duration: "PT1H" },
      { id: "again", type: "trigger_workflow", workflow: "T" },
      { id: "after", type: "wait", duration: "PT1H" },
    ];
    expect(issues(base(branched))).toEqual([
      "steps[2].workflow: the workflow would start itself with no wait or question before this step",
    ]);
  });

  test("a workflow may start itself behind a wait or question (a delayed repeat), and others freely", () => {
    const behindWait = [
      { id: "w", type: "wait", duration: "P1D" },
      { id: "again", type: "trigger_workflow", workflow: "T" },
    ];
    expect(issues(base(behindWait))).toEqual([]);
    const behindQuestion = [
      { id: "open", type: "open_conversation" },
      { id: "ask", type: "ask_question", text: "More?", timeout: "PT1H", on_timeout: "again" },
      { id: "again", type: "trigger_workflow", workflow: "T" },
    ];
    expect(issues(base(behindQuestion))).toEqual([]);
    expect(issues(base([{ id: "other", type: "trigger_workflow", workflow: "Feedback" }]))).toEqual([]);
  });

  test("shape errors carry zod paths; limits; bad Liquid; bad durations", () => {
    expect(issues(base([{ id: "a", type: "teleport" }]))[0]).toMatch(/^steps\[0\]\.type: /);
    const many = Array.from({ length: 101 }, (_, i) => ({ id: `s${i}`, type: "add_comment", text: "x" }));
    expect(issues(base(many))[0]).toMatch(/^steps: /);
    expect(issues(base([{ id: "a", type: "send_message", text: "Hi {{ contact.name " }]))[0]).toMatch(
      /^steps\[0\]\.text: invalid Liquid/,
    );
    expect(issues(base([{ id: "w", type: "wait", duration: "24 hours" }]))[0]).toBe(
      "steps[0].duration: must be an ISO-8601 duration such as PT24H or P30D",
    );
    expect(
      issues(base([{ id: "s", type: "send_message", text: "a", template: { name: "x", language: "en" } }])),
    ).toEqual(["steps[0]: give exactly one of text, template, image or document"]);
  });
});
