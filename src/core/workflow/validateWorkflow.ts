import type { z } from "zod";
import type { ClosingPolicy } from "../conversation/conversationSchema.ts";
import type { FieldIssue } from "../errors.ts";
import { explainZodIssues, type RawZodIssue } from "../explainZodIssues.ts";
import { checkExpressions } from "./checkExpressions.ts";
import { checkLiquid } from "./liquidRenderer.ts";
import { isWaitingStep, stepEdges } from "./stepEdges.ts";
import { type WorkflowDefinition, workflowDefinitionSchema } from "./workflowDefinitionSchema.ts";

/** What a definition may refer to in its workspace. */
export interface WorkflowRefs {
  categories: { key: string; name: string; archived: boolean }[];
  channels: { id: string; name: string }[];
  workflows: { id: string; name: string }[];
  /** The id of the workflow a new version is saved for: a step naming it names its own workflow. */
  selfId?: string;
  /** The workspace's closing-notes policy: a close step must give what it requires. */
  closingNotes?: ClosingPolicy;
}

export type ValidationResult =
  | { ok: true; definition: WorkflowDefinition }
  | { ok: false; issues: FieldIssue[] };

/**
 * Checks a definition before it is saved: its shape, then its graph (unique ids, known targets, every step
 * reachable, no loop without a wait or question, no start of itself without one), its Liquid, and the categories,
 * channels and workflows it names.
 * Every issue names its path, e.g. `steps[4].category: unknown category "refunds"`.
 */
export function validateWorkflow(input: unknown, refs: WorkflowRefs): ValidationResult {
  const parsed = workflowDefinitionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const def = parsed.data;
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });

  const index = new Map<string, number>();
  def.steps.forEach((s, i) => {
    if (index.has(s.id)) add(`steps[${i}].id`, `duplicate step id "${s.id}"`);
    else index.set(s.id, i);
  });
  def.steps.forEach((_, i) => {
    for (const e of stepEdges(def.steps, i)) {
      if (e.to !== null && !index.has(e.to)) add(`steps[${i}].${e.field}`, `unknown step "${e.to}"`);
    }
  });
  for (const key of Object.keys(def.layout ?? {}))
    if (key !== "trigger" && !index.has(key)) add(`layout.${key}`, `unknown step "${key}"`);
  if (issues.length === 0) {
    checkReachable(def, index, add);
    checkLoops(def, index, add);
    checkSelfStart(def, index, refs, add);
  }
  checkRefs(def, refs, add);
  checkExpressions(def, add);
  walkLiquid(def, "", (path, source) => {
    const err = checkLiquid(source);
    if (err) add(path, `invalid Liquid: ${err}`);
  });
  return issues.length ? { ok: false, issues } : { ok: true, definition: def };
}

function zodIssues(error: z.ZodError): FieldIssue[] {
  return explainZodIssues(error.issues as RawZodIssue[]).map((i) => ({
    field: i.field || "(root)",
    message: i.message,
  }));
}

function successors(def: WorkflowDefinition, index: Map<string, number>, i: number): number[] {
  return stepEdges(def.steps, i)
    .map((e) => (e.to === null ? undefined : index.get(e.to)))
    .filter((n): n is number => n !== undefined);
}

function checkReachable(
  def: WorkflowDefinition,
  index: Map<string, number>,
  add: (f: string, m: string) => void,
) {
  const seen = new Set<number>([0]);
  const frontier = [0];
  while (frontier.length) {
    for (const n of successors(def, index, frontier.pop()!)) {
      if (!seen.has(n)) {
        seen.add(n);
        frontier.push(n);
      }
    }
  }
  def.steps.forEach((s, i) => {
    if (!seen.has(i)) add(`steps[${i}]`, `step "${s.id}" is unreachable`);
  });
}

/** A cycle made only of steps that don't park would spin the engine: find one with a depth-first search. */
function checkLoops(
  def: WorkflowDefinition,
  index: Map<string, number>,
  add: (f: string, m: string) => void,
) {
  const state = new Array<0 | 1 | 2>(def.steps.length).fill(0);
  const visit = (i: number): boolean => {
    state[i] = 1;
    for (const e of stepEdges(def.steps, i)) {
      const n = e.to === null ? undefined : index.get(e.to);
      if (n === undefined || isWaitingStep(def.steps[n]!)) continue;
      if (state[n] === 1) {
        add(`steps[${i}].${e.field}`, `loop back to "${e.to}" with no wait or question in it`);
        return true;
      }
      if (state[n] === 0 && visit(n)) return true;
    }
    state[i] = 2;
    return false;
  };
  for (let i = 0; i < def.steps.length; i++) {
    if (state[i] === 0 && !isWaitingStep(def.steps[i]!) && visit(i)) return;
  }
}

/**
 * A run that starts its own workflow before it ever parks makes a new run that does the same at once, for ever
 * (each is a new run, so the executed-steps limit never applies). Behind a wait or question it is a delayed
 * repeat, which the engine's chain depth limit still bounds.
 */
function checkSelfStart(
  def: WorkflowDefinition,
  index: Map<string, number>,
  refs: WorkflowRefs,
  add: (f: string, m: string) => void,
) {
  const seen = new Set<number>([0]);
  const frontier = [0];
  while (frontier.length) {
    const i = frontier.pop()!;
    const s = def.steps[i]!;
    if (isWaitingStep(s)) continue;
    if (s.type === "trigger_workflow" && (s.workflow === def.name || s.workflow === refs.selfId))
      add(
        `steps[${i}].workflow`,
        "the workflow would start itself with no wait or question before this step",
      );
    for (const n of successors(def, index, i)) {
      if (!seen.has(n)) {
        seen.add(n);
        frontier.push(n);
      }
    }
  }
}

function checkRefs(def: WorkflowDefinition, refs: WorkflowRefs, add: (f: string, m: string) => void) {
  const category = (ref: string) => {
    const lower = ref.trim().toLowerCase();
    return refs.categories.find((c) => c.key === ref.trim() || c.name.toLowerCase() === lower);
  };
  const checkCategory = (field: string, ref: string) => {
    const c = category(ref);
    if (!c) add(field, `unknown category "${ref}"`);
    else if (c.archived) add(field, `category "${ref}" is archived`);
  };
  const checkChannel = (field: string, ref: string | undefined) => {
    // Without a channel the step uses the workspace's first one, which may be connected after saving.
    if (ref !== undefined && !refs.channels.some((c) => c.id === ref || c.name === ref))
      add(field, `unknown channel "${ref}"`);
  };
  if (def.trigger.type === "conversation_closed")
    def.trigger.categories?.forEach((c, i) => {
      checkCategory(`trigger.categories[${i}]`, c);
    });
  if (def.trigger.type === "conversation_opened" && def.trigger.channel)
    checkChannel("trigger.channel", def.trigger.channel);
  def.steps.forEach((s, i) => {
    if (s.type === "close_conversation") {
      if (s.category) checkCategory(`steps[${i}].category`, s.category);
      else if (refs.closingNotes?.category === "required")
        add(`steps[${i}].category`, "this workspace requires a category to close a conversation");
      if (!s.summary?.trim() && refs.closingNotes?.summary === "required")
        add(`steps[${i}].summary`, "this workspace requires a summary to close a conversation");
    }
    if (s.type === "open_conversation") checkChannel(`steps[${i}].channel`, s.channel);
    if (s.type === "trigger_workflow" && s.workflow !== def.name && s.workflow !== refs.selfId) {
      if (!refs.workflows.some((w) => w.id === s.workflow || w.name === s.workflow))
        add(`steps[${i}].workflow`, `unknown workflow "${s.workflow}"`);
    }
    if (s.type === "send_message") {
      const kinds = (["text", "template", "image", "document"] as const).filter((k) => s[k] !== undefined);
      if (kinds.length !== 1) add(`steps[${i}]`, "give exactly one of text, template, image or document");
      if ((s.buttons || s.list) && s.text === undefined)
        add(`steps[${i}].text`, "buttons and lists need a text");
      if (s.buttons && s.list) add(`steps[${i}].list`, "give buttons or a list, not both");
    }
  });
}

/** Calls `visit` for every string in the definition that may hold Liquid. */
function walkLiquid(value: unknown, path: string, visit: (path: string, source: string) => void) {
  if (typeof value === "string") {
    if (value.includes("{{") || value.includes("{%")) visit(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkLiquid(v, `${path}[${i}]`, visit);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) walkLiquid(v, path ? `${path}.${k}` : k, visit);
  }
}
