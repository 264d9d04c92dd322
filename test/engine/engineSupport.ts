import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import {
  createChannel,
  createContact,
  openConversation,
  openWindow,
} from "../support/conversationHelpers.ts";
import { cleanEnv, ROOT } from "../support/runCli.ts";
import { TEST_SECRET, type TestApp } from "../support/testApp.ts";
import { createWorkflow, runReaches } from "./workflowHelpers.ts";

/** A channel with the two sample templates registered by hand (no simulator needed). */
export async function channelWithTemplates(t: TestApp): Promise<string> {
  const channelId = await createChannel(t);
  await t.api("POST", `/api/v1/channels/${channelId}/templates`, {
    name: "order_ready",
    language: "en",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} is ready." }],
  });
  await t.api("POST", `/api/v1/channels/${channelId}/templates`, {
    name: "we_miss_you",
    language: "en",
    category: "MARKETING",
    components: [{ type: "BODY", text: "Hi {{1}}, it's been a while!" }],
  });
  return channelId;
}

/** A contact whose conversation on the channel is open and whose 24-hour window is open. */
export async function chattingContact(t: TestApp, channelId: string, name = "Riya Sharma") {
  const contactId = await createContact(t, undefined, name);
  const { conversation } = await openConversation(t, { contact_id: contactId, channel_id: channelId });
  await openWindow(t, conversation.id);
  return { contactId, conversationId: conversation.id };
}

/** Creates a manual workflow, runs it for one contact and returns the run id. */
export async function runManual(
  t: TestApp,
  definition: Record<string, unknown>,
  contactId: string,
  data?: unknown,
) {
  const wf = await createWorkflow(t, { trigger: { type: "manual" }, ...definition });
  const res = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, {
    contact_ids: [contactId],
    ...(data ? { data } : {}),
  });
  if (res.status !== 202) throw new Error(`manual run: ${res.status} ${res.text}`);
  const runs = await t.api("GET", `/api/v1/workflows/${wf.id}/runs`);
  return { workflowId: wf.id, runId: runs.body.data[0].id as string, batchId: res.body.batch_id as string };
}

/** Runs a manual workflow for a contact to one of the given end states and returns the run with its steps. */
export async function runToEnd(
  t: TestApp,
  definition: Record<string, unknown>,
  contactId: string,
  statuses: string[] = ["completed", "failed", "skipped"],
  timeoutMs = 15_000,
) {
  const { runId } = await runManual(t, definition, contactId);
  return runReaches(t, runId, statuses, timeoutMs);
}

/** A `parley worker`-like process (test/engine/engineWorkerProcess.ts) on the test app's database; resolves once it is ready. */
export function startWorker(t: TestApp, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "test/engine/engineWorkerProcess.ts")],
    {
      cwd: ROOT,
      env: cleanEnv({
        DATABASE_URL: t.db.url,
        PARLEY_DATA_DIR: t.db.dataDir,
        PARLEY_SECRET_KEY: TEST_SECRET,
        ...env,
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
      if (env.TEST_WORKER_LOG) process.stderr.write(d);
      out += d;
    });
  });
}

/**
 * Sets the workspace's quiet hours around now, whenever the test runs: from the previous hour to two hours on, in
 * a zone `utcOffsetMinutes` from UTC (a zone without DST). Returns when they end.
 */
export async function quietHoursAroundNow(t: TestApp, utcOffsetMinutes = 0): Promise<number> {
  const offset = utcOffsetMinutes * 60_000;
  const hourStart = Math.floor((Date.now() + offset) / 3_600_000) * 3_600_000 - offset;
  const hour = new Date(hourStart + offset).getUTCHours();
  const at = (h: number) => `${String((h + 24) % 24).padStart(2, "0")}:00`;
  await t.api("PATCH", "/api/v1/workspace", {
    settings: { quiet_hours: { start: at(hour - 1), end: at(hour + 2) } },
  });
  return hourStart + 2 * 3_600_000;
}
