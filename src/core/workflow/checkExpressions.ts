import { Cron } from "croner";
import type { Condition } from "./conditionSchema.ts";
import { safeRegex } from "./safeRegex.ts";
import type { WorkflowDefinition } from "./workflowDefinitionSchema.ts";

type Add = (field: string, message: string) => void;

/**
 * Checks the expressions a definition hands to other engines, with those engines, so that what saves is what
 * runs: keyword and branch regular expressions on RE2 (what matches them), and a schedule's cron on croner as
 * the Scheduler builds it. The zod schemas can't do this: they also read stored definitions, and one saved
 * before these checks must still load (its pattern matches nothing at run time).
 */
export function checkExpressions(def: WorkflowDefinition, add: Add): void {
  const t = def.trigger;
  if (t.type === "inbound_message")
    t.keywords?.forEach((k, i) => {
      if (k.match === "regex") checkPattern(`trigger.keywords[${i}].value`, k.value, add);
    });
  if (t.type === "schedule") {
    const error = cronError(t.cron, t.timezone);
    if (error) add("trigger.cron", error);
  }
  def.steps.forEach((s, i) => {
    if (s.type === "branch")
      s.branches.forEach((b, j) => {
        checkCondition(b.when, `steps[${i}].branches[${j}].when`, add);
      });
  });
}

function checkPattern(field: string, pattern: unknown, add: Add) {
  if (typeof pattern !== "string" || pattern === "") {
    add(field, "a `matches` value is a regular expression: give a non-empty string");
    return;
  }
  const error = safeRegex.check(pattern);
  if (error) add(field, `invalid regular expression: ${error}`);
}

function checkCondition(c: Condition, path: string, add: Add) {
  if ("all" in c)
    c.all.forEach((x, k) => {
      checkCondition(x, `${path}.all[${k}]`, add);
    });
  else if ("any" in c)
    c.any.forEach((x, k) => {
      checkCondition(x, `${path}.any[${k}]`, add);
    });
  else if ("not" in c) checkCondition(c.not, `${path}.not`, add);
  else if (c.op === "matches") checkPattern(`${path}.value`, c.value, add);
}

const NICKNAME = /^@(yearly|annually|monthly|weekly|daily|hourly)$/i;

/**
 * Why a schedule's cron can't be saved, or null. croner also reads 6 and 7 fields (seconds, years), which would
 * start a batch every second; a schedule takes the standard 5. A cron that matches no date (30 February) would
 * never fire: croner finds no next run for it.
 */
function cronError(cron: string, timezone: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (!(fields.length === 1 && NICKNAME.test(fields[0] ?? "")) && fields.length !== 5)
    return `a cron has 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}: "${cron}"`;
  let next: Date | null;
  try {
    next = new Cron(cron, { timezone, paused: true, mode: "5-part" }).nextRun();
  } catch (err) {
    return `invalid cron expression: ${(err instanceof Error ? err.message : String(err)).replace(/^CronPattern: /, "")}`;
  }
  return next ? null : `the cron "${cron}" matches no date, so it would never fire`;
}
