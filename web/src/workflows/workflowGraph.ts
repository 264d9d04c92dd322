import type { DraftStep, WorkflowDraft } from "../api/apiTypes.ts";

export interface StepLink {
  /** Index of the step the link leaves. */
  from: number;
  /** Target step id (may name a missing step: validation reports it, the canvas just draws nothing). */
  to: string;
  /** The step field that holds the link; also the source handle's id, so dragging a handle sets that field. */
  field: string;
  /** Edge label; empty for the plain "then" path. */
  label: string;
  /** Drawn from no field: the step just falls through to the following one, so there is nothing to remove. */
  implicit?: boolean;
}

/**
 * Where each step can go, as the engine follows it (mirrors src/core/workflow/stepEdges.ts, which the bundle
 * can't import: only types cross from the server). The default onward edge goes to the following step.
 */
export function stepLinks(steps: DraftStep[]): StepLink[] {
  const out: StepLink[] = [];
  steps.forEach((s, i) => {
    const following = steps[i + 1]?.id;
    const onward = (label = "") => {
      if (s.next) out.push({ from: i, to: s.next, field: "next", label: label || "next" });
      else if (following) out.push({ from: i, to: following, field: "next", label, implicit: true });
    };
    switch (s.type) {
      case "jump_to":
        out.push({ from: i, to: s.target, field: "target", label: "jump" });
        break;
      case "branch":
        s.branches.forEach((b, n) => {
          out.push({ from: i, to: b.next, field: `branches[${n}]`, label: `branch ${n + 1}` });
        });
        if (s.else) out.push({ from: i, to: s.else, field: "else", label: "else" });
        else onward("else");
        break;
      case "ask_question":
        onward();
        if (s.on_timeout) out.push({ from: i, to: s.on_timeout, field: "on_timeout", label: "timeout" });
        break;
      case "http_request":
        onward();
        if (s.on_error) out.push({ from: i, to: s.on_error, field: "on_error", label: "error" });
        break;
      default:
        onward();
    }
  });
  return out;
}

/** The source handles a step offers, in the order they are drawn on the node's bottom edge. */
export function stepHandles(step: DraftStep): { field: string; label: string }[] {
  switch (step.type) {
    case "jump_to":
      return [{ field: "target", label: "jump" }];
    case "branch":
      return [
        ...step.branches.map((_, n) => ({ field: `branches[${n}]`, label: `${n + 1}` })),
        { field: "else", label: "else" },
      ];
    case "ask_question":
      return [
        { field: "next", label: "" },
        { field: "on_timeout", label: "timeout" },
      ];
    case "http_request":
      return [
        { field: "next", label: "" },
        { field: "on_error", label: "error" },
      ];
    default:
      return [{ field: "next", label: "" }];
  }
}

/** Points `field` of a step (a handle id from stepHandles) at `to`; undefined removes an explicit link. */
export function setLink(step: DraftStep, field: string, to: string | undefined): DraftStep {
  const m = /^branches\[(\d+)\]$/.exec(field);
  if (m && step.type === "branch") {
    const n = Number(m[1]);
    // A branch always needs a target: removing one drops the branch (unless it is the last).
    if (to === undefined)
      return step.branches.length > 1 ? { ...step, branches: step.branches.filter((_, i) => i !== n) } : step;
    return { ...step, branches: step.branches.map((b, i) => (i === n ? { ...b, next: to } : b)) };
  }
  if (field === "target" && step.type === "jump_to") return to ? { ...step, target: to } : step;
  const copy: Record<string, unknown> = { ...step, [field]: to };
  if (to === undefined) delete copy[field];
  return copy as DraftStep;
}

/**
 * What deleting an edge on the canvas does to its step: optional links (`next`, `else`, `on_timeout`,
 * `on_error`) go, so the step falls through again; a branch's `next` and a jump's `target` are required, so they
 * are emptied (the branch keeps its condition) for the user to choose a step again — the form says so, and the
 * server names it on Save until then.
 */
export function removeLink(step: DraftStep, field: string): DraftStep {
  const m = /^branches\[(\d+)\]$/.exec(field);
  if (m && step.type === "branch") {
    const n = Number(m[1]);
    return { ...step, branches: step.branches.map((b, i) => (i === n ? { ...b, next: "" } : b)) };
  }
  if (field === "target" && step.type === "jump_to") return { ...step, target: "" };
  return setLink(step, field, undefined);
}

/**
 * Column per step for a simple top-down layout: a step that its predecessor doesn't fall through to (a branch
 * target, a timeout path) moves one lane right, so branches read as side paths without a layout library.
 */
export function stepLanes(steps: DraftStep[]): number[] {
  const fallsThrough = (s: DraftStep | undefined) =>
    !!s && !s.next && s.type !== "jump_to" && !(s.type === "branch" && s.else);
  return steps.map((_, i) => (i === 0 || fallsThrough(steps[i - 1]) ? 0 : 1));
}

export interface NodeErrors {
  trigger: string[];
  /** By step id, not position: moving a step up or down keeps its errors on it. */
  steps: Map<string, string[]>;
  general: string[];
}

/** Errors as the server's paths name them: steps by position in the definition that was sent. */
export interface IndexedErrors {
  trigger: string[];
  steps: Map<number, string[]>;
  general: string[];
}

/**
 * Sorts a 422's field errors onto the canvas: `steps[4].category` onto step 4, `trigger.*` onto the trigger,
 * anything else (name, frequency_cap) into the editor's header.
 */
export function errorsByNode(errors: { field: string; message: string }[]): IndexedErrors {
  const out: IndexedErrors = { trigger: [], steps: new Map(), general: [] };
  for (const e of errors) {
    const step = /^steps\[(\d+)\](?:\.(.*))?$/.exec(e.field.split(", ")[0] ?? "");
    if (step) {
      const i = Number(step[1]);
      const list = out.steps.get(i) ?? [];
      list.push(step[2] ? `${step[2]}: ${e.message}` : e.message);
      out.steps.set(i, list);
    } else if (e.field === "trigger" || e.field.startsWith("trigger.")) {
      out.trigger.push(e.field === "trigger" ? e.message : `${e.field.slice(8)}: ${e.message}`);
    } else out.general.push(`${e.field}: ${e.message}`);
  }
  return out;
}

/**
 * The errors keyed by the id each step had in the definition that was saved (`saved`), so they stay on their
 * step when it is moved afterwards; a position past the end (shouldn't happen) goes to the header.
 */
export function errorsByStepId(e: IndexedErrors, saved: DraftStep[]): NodeErrors {
  const out: NodeErrors = { trigger: e.trigger, steps: new Map(), general: [...e.general] };
  for (const [i, list] of e.steps) {
    const id = saved[i]?.id;
    if (id === undefined) out.general.push(...list.map((m) => `steps[${i}]: ${m}`));
    else out.steps.set(id, [...(out.steps.get(id) ?? []), ...list]);
  }
  return out;
}

/** A step id not yet used in the workflow, from the step type (`send_message_2`). */
export function freshStepId(def: WorkflowDraft, base: string): string {
  const used = new Set(def.steps.map((s) => s.id));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}

/**
 * Replaces step `i` and, when its id changed, repoints every link to the old id at the new one, so renaming a
 * step keeps the graph. Links are left alone while either id is also another step's (mid-typing collisions).
 */
export function replaceStep(steps: DraftStep[], i: number, next: DraftStep): DraftStep[] {
  const old = steps[i]?.id;
  const out = steps.map((s, n) => (n === i ? next : s));
  if (
    old === undefined ||
    old === next.id ||
    out.some((s, n) => n !== i && (s.id === old || s.id === next.id))
  )
    return out;
  return out.map((s, n) => {
    let step = s;
    for (const l of stepLinks(out).filter((x) => x.from === n && x.to === old && x.field !== "next")) {
      step = setLink(step, l.field, next.id);
    }
    return step.next === old ? { ...step, next: next.id } : step;
  });
}

/**
 * Keeps the saved canvas positions (`layout`, keyed by step id) in step with an edit: a renamed step keeps its
 * position, a removed step's goes. Without this a save would carry positions of steps that no longer exist.
 */
export function syncLayout(prev: WorkflowDraft, next: WorkflowDraft): WorkflowDraft {
  const layout = next.layout;
  if (!layout) return next;
  const ids = new Set(next.steps.map((s) => s.id));
  const out: NonNullable<WorkflowDraft["layout"]> = {};
  for (const [key, pos] of Object.entries(layout)) {
    if (key === "trigger" || ids.has(key)) {
      out[key] = pos;
      continue;
    }
    // Renamed in place: the same index holds a new id that has no position of its own.
    const at = prev.steps.findIndex((s) => s.id === key);
    const renamed = prev.steps.length === next.steps.length ? next.steps[at]?.id : undefined;
    if (renamed && !layout[renamed] && !prev.steps.some((s) => s.id === renamed)) out[renamed] = pos;
  }
  return { ...next, layout: out };
}
