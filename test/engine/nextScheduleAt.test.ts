import { describe, expect, test } from "vitest";
import type { WorkflowDefinition } from "../../src/core/workflow/workflowDefinitionSchema.ts";
import { nextScheduleAt } from "../../src/engine/saveWorkflow.ts";

const schedule = (cron: string) =>
  ({
    name: "S",
    trigger: { type: "schedule", cron, timezone: "Europe/Berlin", audience: {} },
    steps: [],
  }) as unknown as WorkflowDefinition;

describe("when a schedule fires next", () => {
  const at = Date.parse("2026-11-29T10:00:30Z");
  test("a 5-field cron, in the trigger's time zone", () => {
    expect(nextScheduleAt(schedule("0 9 * * *"), at)).toBe(Date.parse("2026-11-30T08:00:00Z"));
    expect(nextScheduleAt(schedule("*/5 * * * *"), at)).toBe(Date.parse("2026-11-29T10:05:00Z"));
  });

  test("a cron stored before validation refused seconds fields, or one that never fires, stops the schedule", () => {
    expect(nextScheduleAt(schedule("* * * * * *"), at)).toBeNull();
    expect(nextScheduleAt(schedule("0 0 30 2 *"), at)).toBeNull();
  });
});
