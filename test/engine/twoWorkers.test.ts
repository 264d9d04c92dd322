import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cleanEnv, ROOT } from "../support/runCli.ts";
import { startTestApp, TEST_SECRET, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";
import { channelWithTemplates } from "./engineSupport.ts";
import { createWorkflow } from "./workflowHelpers.ts";

function startWorker(t: TestApp): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "test/engine/engineWorkerProcess.ts")],
    {
      cwd: ROOT,
      env: cleanEnv({
        DATABASE_URL: t.db.url,
        PARLEY_DATA_DIR: t.db.dataDir,
        PARLEY_SECRET_KEY: TEST_SECRET,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${out}`)), 60_000);
    child.stdout?.on("data", (d) => {
      out += d;
      if (out.includes("ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on("data", (d) => {
      out += d;
    });
  });
}

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
