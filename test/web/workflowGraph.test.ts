import { describe, expect, test } from "vitest";
import { validateWorkflow } from "../../src/core/workflow/validateWorkflow.ts";
import type { DraftStep } from "../../web/src/api/apiTypes.ts";
import { newDraft, STEP_CATALOG, STEP_TYPES } from "../../web/src/workflows/stepCatalog.ts";
import {
  errorsByNode,
  freshStepId,
  replaceStep,
  setLink,
  stepLanes,
  stepLinks,
  syncLayout,
} from "../../web/src/workflows/workflowGraph.ts";

const steps: DraftStep[] = [
  { id: "open", type: "open_conversation" },
  { id: "ask", type: "ask_question", text: "Yes?", timeout: "PT1H", on_timeout: "close" },
  {
    id: "route",
    type: "branch",
    branches: [{ when: { var: "answer.id", op: "eq", value: "yes" }, next: "link" }],
    else: "close",
  },
  { id: "link", type: "send_message", text: "Here", next: "close" },
  { id: "close", type: "close_conversation" },
];

describe("the editor's graph helpers", () => {
  test("links follow the engine's edges: fall-through, next, branches, else, timeouts", () => {
    expect(stepLinks(steps).map((l) => `${steps[l.from]?.id}.${l.field}->${l.to}`)).toEqual([
      "open.next->ask",
      "ask.next->route",
      "ask.on_timeout->close",
      "route.branches[0]->link",
      "route.else->close",
      "link.next->close",
    ]);
    // A branch target its predecessor doesn't fall into moves a lane right.
    expect(stepLanes(steps)).toEqual([0, 0, 0, 1, 1]);
  });

  test("setLink sets and clears the field a handle stands for", () => {
    expect(setLink(steps[1]!, "on_timeout", "link")).toMatchObject({ on_timeout: "link" });
    expect(setLink(steps[1]!, "on_timeout", undefined)).not.toHaveProperty("on_timeout");
    expect(setLink(steps[2]!, "branches[0]", "close")).toMatchObject({ branches: [{ next: "close" }] });
    // The only branch can't be removed: a branch step needs one.
    expect(setLink(steps[2]!, "branches[0]", undefined)).toBe(steps[2]);
  });

  test("server errors land on the node they name", () => {
    const e = errorsByNode([
      { field: "steps[4].category", message: 'unknown category "refunds"' },
      { field: "steps[1]", message: 'step "b" is unreachable' },
      { field: "trigger.contact.phone", message: "required" },
      { field: "name", message: "already used" },
    ]);
    expect(e.steps.get(4)).toEqual(['category: unknown category "refunds"']);
    expect(e.steps.get(1)).toEqual(['step "b" is unreachable']);
    expect(e.trigger).toEqual(["contact.phone: required"]);
    expect(e.general).toEqual(["name: already used"]);
  });

  test("every step type's starting point and the new-workflow draft pass the server's validation", () => {
    const def = newDraft();
    for (const type of STEP_TYPES) def.steps.push(STEP_CATALOG[type].make(freshStepId(def, type)));
    // Self-targets of fresh branch / jump steps would loop: point them at the last step instead.
    const last = def.steps.at(-1)!.id;
    def.steps = def.steps.map((s) =>
      s.type === "branch"
        ? { ...s, branches: s.branches.map((b) => ({ ...b, next: last })) }
        : s.type === "jump_to"
          ? { ...s, target: last }
          : s.type === "trigger_workflow"
            ? { ...s, workflow: def.name }
            : s,
    );
    const res = validateWorkflow(def, { categories: [], channels: [], workflows: [] });
    expect(res.ok ? [] : res.issues).toEqual([]);
  });
});

describe("renaming a step", () => {
  test("repoints next, branch, else and timeout links at the new id", () => {
    const out = replaceStep(steps, 4, { id: "done", type: "close_conversation" });
    expect(
      stepLinks(out)
        .filter((l) => l.to === "done")
        .map((l) => `${out[l.from]?.id}.${l.field}`),
    ).toEqual(["ask.on_timeout", "route.else", "link.next"]);
    expect(stepLinks(out).some((l) => l.to === "close")).toBe(false);
  });

  test("leaves links alone while the new id collides with another step's", () => {
    const out = replaceStep(steps, 4, { id: "link", type: "close_conversation" });
    expect(out[3]).toEqual(steps[3]);
  });
});

describe("canvas positions follow edits", () => {
  const def = {
    name: "T",
    trigger: { type: "manual" as const },
    steps,
    layout: { trigger: { x: 0, y: 0 }, ask: { x: 10, y: 20 }, close: { x: 30, y: 40 } },
  };

  test("a renamed step keeps its position", () => {
    const next = { ...def, steps: replaceStep(steps, 4, { id: "done", type: "close_conversation" }) };
    expect(syncLayout(def, next).layout).toEqual({
      trigger: { x: 0, y: 0 },
      ask: { x: 10, y: 20 },
      done: { x: 30, y: 40 },
    });
  });

  test("a removed step's position goes; a definition without positions stays without", () => {
    const next = { ...def, steps: steps.filter((s) => s.id !== "ask") };
    expect(syncLayout(def, next).layout).toEqual({ trigger: { x: 0, y: 0 }, close: { x: 30, y: 40 } });
    const bare = { name: "T", trigger: { type: "manual" as const }, steps };
    expect(syncLayout(bare, bare)).toBe(bare);
  });
});
