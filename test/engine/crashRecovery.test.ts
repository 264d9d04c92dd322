import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunStatus } from "../../src/store/workflowTables.ts";
import { createContact } from "../support/conversationHelpers.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates, startWorker } from "./engineSupport.ts";
import { createWorkflow } from "./workflowHelpers.ts";

const flow = (name: string, wait: string) => ({
  name,
  trigger: { type: "manual" },
  steps: [
    {
      id: "open",
      type: "open_conversation",
      message: { template: { name: "order_ready", language: "en", body: ["{{ contact.phone }}", "1"] } },
    },
    { id: "w", type: "wait", duration: wait },
    {
      id: "again",
      type: "send_message",
      template: { name: "order_ready", language: "en", body: ["again", "2"] },
    },
    { id: "close", type: "close_conversation", category: "sales", summary: "Run {{ run.id }}" },
  ],
});

/**
 * Kill -9 a process in the middle of runs, start another: every run completes, none executes a step twice,
 * and no message is queued twice (each step's effects commit with the run's position, in one transaction).
 */
describe.each(engines)("crash recovery on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    // This process serves the API only until the worker is killed; then it takes over the runs.
    t = await startTestApp(engine);
    await channelWithTemplates(t);
  });
  afterAll(() => t.close());

  test("a killed worker's runs are finished by the next process, exactly once", async () => {
    const fast = await createWorkflow(t, flow("fast", "PT0.2S"));
    const slow = await createWorkflow(t, flow("slow", "PT3S"));
    const contacts: string[] = [];
    for (let i = 0; i < 40; i++) contacts.push(await createContact(t));
    const worker = await startWorker(t, { TEST_LEASE_MS: "1000", TEST_WORKER_LOG: "warn" });
    await t.api("POST", `/api/v1/workflows/${fast.id}/runs`, { contact_ids: contacts.slice(0, 20) });
    await t.api("POST", `/api/v1/workflows/${slow.id}/runs`, { contact_ids: contacts.slice(20) });
    const db = t.parley.deps.store.db;
    const count = async (status: RunStatus) =>
      Number(
        (
          await db
            .selectFrom("workflow_runs")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("status", "=", status)
            .executeTakeFirst()
        )?.n,
      );
    await waitFor("some runs to complete", async () => (await count("completed")) >= 1, 60_000);
    worker.kill("SIGKILL");
    await new Promise((r) => worker.once("exit", r));
    const completedAtKill = await count("completed");
    expect(completedAtKill).toBeLessThan(40);

    await t.parley.workflows.start();
    await waitFor("every run to complete", async () => (await count("completed")) === 40, 60_000);

    const outbound = await db
      .selectFrom("messages")
      .select(["idempotency_key"])
      .where("direction", "=", "outbound")
      .execute();
    expect(outbound).toHaveLength(80);
    expect(new Set(outbound.map((m) => m.idempotency_key)).size).toBe(80);
    const steps = await db.selectFrom("workflow_run_steps").select(["run_id", "seq", "status"]).execute();
    const seen = new Set<string>();
    for (const s of steps) {
      const key = `${s.run_id}:${s.seq}:${s.status}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    expect(steps.filter((s) => s.status === "completed")).toHaveLength(160);
    const closings = await db.selectFrom("conversation_closings").select("conversation_id").execute();
    expect(closings).toHaveLength(40);
  }, 180_000);
});
