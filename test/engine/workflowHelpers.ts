import { expect } from "vitest";
import type { TestApp } from "../support/testApp.ts";
import { waitFor } from "../support/testApp.ts";

let phoneSeq = 0;
/** A fresh valid US number per call (unique within a test file). */
export function nextPhone(prefix = "1415557"): string {
  phoneSeq++;
  return `+${prefix}${String(1000 + (phoneSeq % 9000)).padStart(4, "0")}`;
}

/** Creates a workflow through the API and returns its resource. */
export async function createWorkflow(t: TestApp, definition: Record<string, unknown>) {
  const res = await t.api("POST", "/api/v1/workflows", definition);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; hook_url: string | null; version: number };
}

export async function getRun(t: TestApp, runId: string) {
  const res = await t.api("GET", `/api/v1/workflow-runs/${runId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * Waits until the run reaches one of `statuses`; returns it with its steps. Generous by default: the suite runs
 * files in parallel with multi-process tests, and a slow machine must not fail a run that is merely late.
 */
export function runReaches(t: TestApp, runId: string, statuses: string | string[], timeoutMs = 30_000) {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  return waitFor(
    `run ${runId} to be ${wanted.join("|")}`,
    async () => {
      const run = await getRun(t, runId);
      return wanted.includes(run.status) ? run : null;
    },
    timeoutMs,
  );
}

/** The run's conversation messages as the API lists them. */
export async function conversationMessages(t: TestApp, conversationId: string) {
  const res = await t.api("GET", `/api/v1/conversations/${conversationId}/messages?limit=200`);
  return res.body.data as {
    id: string;
    direction: string;
    type: string;
    content: Record<string, unknown>;
    status: string;
  }[];
}
