import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates, startWorker } from "./engineSupport.ts";
import { createWorkflow } from "./workflowHelpers.ts";

/** PostgreSQL is the scale-out engine: two `parley worker` processes share the runs through SKIP LOCKED leases. */
describe.each(engines.filter((e) => e === "postgres"))("two worker processes on %s", (engine) => {
  let t: TestApp;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    t = await startTestApp(engine);
    await channelWithTemplates(t);
  });
  afterAll(async () => {
    for (const w of workers) w.kill("SIGTERM");
    await t.close();
  });

  test("1,000 runs complete, none executed twice", async () => {
    const wf = await createWorkflow(t, {
      name: "bulk",
      trigger: { type: "manual" },
      frequency_cap: null,
      steps: [
        {
          id: "open",
          type: "open_conversation",
          message: { template: { name: "order_ready", language: "en", body: ["a", "b"] } },
        },
        { id: "close", type: "close_conversation", category: "sales", summary: "done" },
      ],
    });
    workers.push(await startWorker(t), await startWorker(t));
    const phones = Array.from({ length: 1000 }, (_, i) => `+1415558${String(i).padStart(4, "0")}`);
    const res = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, { phones });
    expect(res.body.total).toBe(1000);
    const db = t.parley.deps.store.db;
    await waitFor(
      "1,000 completed runs",
      async () => (await t.api("GET", `/api/v1/workflow-batches/${res.body.batch_id}`)).body.done === 1000,
      // Generous: under CI load two freshly compiled worker processes share two cores with the test server.
      110_000,
    );
    const steps = await db.selectFrom("workflow_run_steps").select(["run_id", "seq"]).execute();
    expect(steps).toHaveLength(2000);
    expect(new Set(steps.map((s) => `${s.run_id}:${s.seq}`)).size).toBe(2000);
    const messages = await db
      .selectFrom("messages")
      .select("id")
      .where("direction", "=", "outbound")
      .execute();
    expect(messages).toHaveLength(1000);
    const closings = await db.selectFrom("conversation_closings").select("id").execute();
    expect(closings).toHaveLength(1000);
  }, 150_000);
});
