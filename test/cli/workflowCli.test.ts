import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { channelWithTemplates } from "../engine/engineSupport.ts";
import { runReaches } from "../engine/workflowHelpers.ts";
import { ROOT, runCli } from "../support/runCli.ts";
import { startTestApp, TEST_SECRET, type TestApp } from "../support/testApp.ts";

const EXAMPLES = join(ROOT, "examples/workflows");

describe("parley workflow (CLI)", () => {
  let t: TestApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { workflows: true });
    await channelWithTemplates(t);
    env = { DATABASE_URL: t.db.url, PARLEY_SECRET_KEY: TEST_SECRET, PARLEY_DATA_DIR: t.db.dataDir };
  });
  afterAll(() => t.close());

  test("apply creates then updates by name; list; trigger; runs", async () => {
    const file = join(EXAMPLES, "post-purchase-follow-up.yaml");
    const created = await runCli(["workflow", "apply", "-f", file], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/created "Post-purchase follow-up" \(version 1, webhook trigger\)/);
    const id = created.lastLine;
    const same = await runCli(["workflow", "apply", "-f", file], env);
    expect(same.stdout).toMatch(/unchanged "Post-purchase follow-up" \(version 1, webhook trigger\)/);
    expect(same.lastLine).toBe(id);
    const edited = join(t.db.dataDir, "post-purchase-edited.yaml");
    writeFileSync(edited, `${readFileSync(file, "utf8")}\ndescription: edited\n`);
    const updated = await runCli(["workflow", "apply", "-f", edited], env);
    expect(updated.stdout).toMatch(/updated .*version 2/);
    expect(updated.lastLine).toBe(id);

    const list = await runCli(["workflow", "list"], env);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+on\\s+v2\\s+webhook\\s+Post-purchase follow-up`));

    const data = JSON.stringify({ order_id: "CLI-1", customer: { phone: "+14155550999", name: "Cli User" } });
    const trig = await runCli(["workflow", "trigger", "Post-purchase follow-up", "--data", data], env);
    expect(trig.code, trig.stderr).toBe(0);
    const run = await runReaches(t, trig.lastLine, ["waiting", "failed"]);
    expect(run.status).toBe("waiting");

    const runs = await runCli(["workflow", "runs", "Post-purchase follow-up"], env);
    expect(runs.stdout).toContain(`${trig.lastLine}  waiting`);
  }, 60_000);

  test("a bad file names the bad path", async () => {
    const bad = join(t.db.dataDir, "bad.yaml");
    writeFileSync(
      bad,
      "name: Bad\ntrigger: { type: manual }\nsteps:\n  - { id: c, type: close_conversation, category: refunds }\n",
    );
    const res = await runCli(["workflow", "apply", "-f", bad], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('steps[0].category: unknown category "refunds"');
  });
});
