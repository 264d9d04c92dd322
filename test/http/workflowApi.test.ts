import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hookSecret } from "../../src/core/workflow/hookSecret.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const minimal = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" } },
  steps: [{ id: "open", type: "open_conversation" }],
  ...extra,
});

describe.each(engines)("workflow API on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  test("hook_url is on the origin a trusted proxy names, and answers a POST", async () => {
    const created = await t.api("POST", "/api/v1/workflows", minimal("Proxied hook"));
    const behindProxy = await t.api("GET", `/api/v1/workflows/${created.body.id}`, undefined, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "chat.shop.example" },
    });
    const url = new URL(behindProxy.body.hook_url);
    expect(url.origin).toBe("https://chat.shop.example");
    const posted = await t.parley.server.inject({
      method: "POST",
      url: url.pathname,
      headers: { "content-type": "application/json" },
      payload: { phone: "+14155550178" },
    });
    expect(posted.statusCode).toBe(202);
  });

  test("patterns and crons that would not run as written are a 422 naming the path, on create and update", async () => {
    const keywords = (value: string) => ({
      name: "Keywords",
      trigger: {
        type: "inbound_message",
        keywords: [
          { match: "exact", value: "menu" },
          { match: "regex", value },
        ],
      },
      steps: [{ id: "open", type: "open_conversation" }],
    });
    for (const value of ["(unclosed", "[a-", "(?<n>a)\\k<m>"]) {
      const bad = expectProblem(await t.api("POST", "/api/v1/workflows", keywords(value)), 422);
      expect(bad.errors).toEqual([
        {
          field: "trigger.keywords[1].value",
          message: expect.stringMatching(/^invalid regular expression: /),
        },
      ]);
      expect(bad.detail).toMatch(/^trigger\.keywords\[1\]\.value: invalid regular expression: /);
    }
    const good = await t.api("POST", "/api/v1/workflows", keywords("^order\\s+\\d+$"));
    expect(good.status, good.text).toBe(201);
    const updated = expectProblem(
      await t.api("PUT", `/api/v1/workflows/${good.body.id}`, keywords("a(?=b)")),
      422,
    );
    expect(updated.errors?.[0]?.field).toBe("trigger.keywords[1].value");

    const branch = minimal("Branchy", {
      steps: [
        { id: "open", type: "open_conversation" },
        {
          id: "b",
          type: "branch",
          branches: [{ when: { var: "trigger.x", op: "matches", value: "(bad" }, next: "c" }],
        },
        { id: "c", type: "close_conversation" },
      ],
    });
    expect(expectProblem(await t.api("POST", "/api/v1/workflows", branch), 422).errors).toEqual([
      {
        field: "steps[1].branches[0].when.value",
        message: "invalid regular expression: missing closing ): `(bad`",
      },
    ]);

    const schedule = (cron: string) => minimal("Scheduled", { trigger: { type: "schedule", cron } });
    for (const [cron, message] of [
      ["* * * * * *", /^a cron has 5 fields .*not 6/],
      ["0 0 0 1 1 * 2030", /^a cron has 5 fields .*not 7/],
      ["0 0 30 2 *", /would never fire/],
    ] as const) {
      const bad = expectProblem(await t.api("POST", "/api/v1/workflows", schedule(cron)), 422);
      expect(bad.errors, cron).toEqual([{ field: "trigger.cron", message: expect.stringMatching(message) }]);
    }
    const weekly = await t.api("POST", "/api/v1/workflows", schedule("0 10 * * 1"));
    expect(weekly.status, weekly.text).toBe(201);
  });

  test("create, read, list, update (new version), enable / disable", async () => {
    const created = await t.api("POST", "/api/v1/workflows", minimal("Crud"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Crud", enabled: true, version: 1, trigger_type: "webhook" });
    // Absolute, on the origin the request came to (in-process requests come to localhost:80).
    expect(created.body.hook_url).toMatch(/^http:\/\/localhost:80\/hooks\/[\w-]{20,}$/);
    const id = created.body.id;
    expect((await t.api("GET", `/api/v1/workflows/${id}`)).body.definition.steps[0].id).toBe("open");
    expect((await t.api("GET", "/api/v1/workflows")).body.data.map((w: { id: string }) => w.id)).toContain(
      id,
    );
    const updated = await t.api("PUT", `/api/v1/workflows/${id}`, minimal("Crud", { description: "v2" }));
    expect(updated.body).toMatchObject({ version: 2, definition: { description: "v2" } });
    // Saving it again unchanged makes no new version.
    const again = await t.api("PUT", `/api/v1/workflows/${id}`, updated.body.definition);
    expect(again.body.version).toBe(2);
    expect((await t.api("POST", `/api/v1/workflows/${id}/disable`)).body.enabled).toBe(false);
    const refused = await t.api("POST", `/api/v1/workflows/${id}/trigger`, { phone: "+14155550100" });
    expect(expectProblem(refused, 409).detail).toMatch(/disabled/);
    expect((await t.api("POST", `/api/v1/workflows/${id}/enable`)).body.enabled).toBe(true);
    expectProblem(await t.api("POST", "/api/v1/workflows", minimal("Crud")), 409, "name");
    expectProblem(await t.api("POST", "/api/v1/workflows", minimal("CRUD")), 409, "name");
  });

  test("invalid definitions are a 422 naming every bad path", async () => {
    const res = await t.api("POST", "/api/v1/workflows", {
      name: "Bad",
      trigger: { type: "manual" },
      steps: [
        { id: "a", type: "jump_to", target: "nowhere" },
        { id: "b", type: "close_conversation", category: "refunds" },
      ],
    });
    const p = expectProblem(res, 422, "steps[1].category");
    expect(p.errors).toEqual(
      expect.arrayContaining([
        { field: "steps[0].target", message: 'unknown step "nowhere"' },
        { field: "steps[1].category", message: 'unknown category "refunds"' },
      ]),
    );
    expectProblem(
      await t.api("POST", "/api/v1/workflows", { name: "x", trigger: { type: "nope" }, steps: [] }),
      422,
      "trigger",
    );
    expectProblem(
      await t.api("POST", "/api/v1/workflows", { ...minimal("Extra"), surprise: 1 }),
      422,
      "surprise",
    );
  });

  test("a workflow that would start itself at once is a 422 on create and on update, by name or id", async () => {
    const selfStart = {
      field: "steps[1].workflow",
      message: "the workflow would start itself with no wait or question before this step",
    };
    const first = { id: "note", type: "add_comment", text: "again" };
    const loop = (workflow: string, name = "Loop", firstStep: Record<string, unknown> = first) => ({
      name,
      trigger: { type: "manual" },
      steps: [firstStep, { id: "again", type: "trigger_workflow", workflow }],
    });
    const created = expectProblem(await t.api("POST", "/api/v1/workflows", loop("Loop")), 422);
    expect(created.detail).toBe(`${selfStart.field}: ${selfStart.message}`);
    expect(created.errors).toEqual([selfStart]);
    await t.api("POST", "/api/v1/workflows", minimal("Loop target"));
    const wf = await t.api("POST", "/api/v1/workflows", loop("Loop target"));
    expect(wf.status, wf.text).toBe(201);
    const byName = expectProblem(await t.api("PUT", `/api/v1/workflows/${wf.body.id}`, loop("Loop")), 422);
    expect(byName.errors).toEqual([selfStart]);
    const byId = expectProblem(await t.api("PUT", `/api/v1/workflows/${wf.body.id}`, loop(wf.body.id)), 422);
    expect(byId.errors).toEqual([selfStart]);
    // Renamed, it no longer answers to its old name.
    const renamed = await t.api("PUT", `/api/v1/workflows/${wf.body.id}`, loop("Loop", "Loop 2"));
    expect(expectProblem(renamed, 422).errors).toEqual([
      { field: "steps[1].workflow", message: 'unknown workflow "Loop"' },
    ]);
    const later = { id: "later", type: "wait", duration: "P1D" };
    expect((await t.api("PUT", `/api/v1/workflows/${wf.body.id}`, loop("Loop", "Loop", later))).status).toBe(
      200,
    );
  });

  test("webhook trigger: 202 with run_id; a bad phone is a 422 naming contact.phone; other triggers refuse", async () => {
    const wf = (await t.api("POST", "/api/v1/workflows", minimal("Hooked"))).body;
    const ok = await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, { phone: "+14155550101" });
    expect(ok.status).toBe(202);
    expect(ok.body.run_id).toMatch(/^[0-9a-f-]{36}$/);
    const run = (await t.api("GET", `/api/v1/workflow-runs/${ok.body.run_id}`)).body;
    expect(run).toMatchObject({ status: "running", version: 1, workflow_id: wf.id, steps: [] });
    expectProblem(
      await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, { phone: "12" }),
      422,
      "contact.phone",
    );
    expectProblem(await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, [1, 2]), 422);
    const manual = (
      await t.api("POST", "/api/v1/workflows", {
        name: "Man",
        trigger: { type: "manual" },
        steps: [{ id: "x", type: "wait", duration: "PT1S" }],
      })
    ).body;
    expectProblem(await t.api("POST", `/api/v1/workflows/${manual.id}/trigger`, {}), 409);
    expectProblem(await t.api("POST", `/api/v1/workflows/${manual.id}/runs`, {}), 422, "contact_ids");
  });

  test("the list carries each workflow's runs of the last 24 hours by status", async () => {
    const wf = (await t.api("POST", "/api/v1/workflows", minimal("Counted"))).body;
    const idle = (await t.api("POST", "/api/v1/workflows", minimal("Idle"))).body;
    const runs: string[] = [];
    for (const phone of ["+14155550181", "+14155550182", "+14155550183"])
      runs.push((await t.api("POST", `/api/v1/workflows/${wf.id}/trigger`, { phone })).body.run_id);
    expect((await t.api("POST", `/api/v1/workflow-runs/${runs[0]}/cancel`)).status).toBe(200);
    const list = (await t.api("GET", "/api/v1/workflows")).body.data;
    const counts = (id: string) => list.find((w: { id: string }) => w.id === id).run_counts;
    expect(counts(wf.id)).toEqual({
      running: 2,
      waiting: 0,
      completed: 0,
      failed: 0,
      cancelled: 1,
      skipped: 0,
    });
    expect(Object.values(counts(idle.id))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test("unknown ids are 404, other workspaces' workflows too, never a 500", async () => {
    const wf = (await t.api("POST", "/api/v1/workflows", minimal("Mine"))).body;
    const other = await t.otherWorkspace();
    expectProblem(await t.api("GET", `/api/v1/workflows/${wf.id}`, undefined, { key: other.apiKey }), 404);
    expectProblem(await t.api("GET", "/api/v1/workflow-runs/nope"), 404);
    expectProblem(await t.api("POST", "/api/v1/workflow-runs/nope/cancel"), 404);
    expectProblem(await t.api("GET", "/api/v1/workflow-batches/nope"), 404);
    expectProblem(await t.api("GET", "/api/v1/workflows/nope/runs"), 404);
    expectProblem(await t.api("POST", "/hooks/not-a-token", { a: 1 }), 404);
    for (const body of ["{", "null", '"x"', '{"steps": 5}']) {
      const res = await t.api("POST", "/api/v1/workflows", body, {
        headers: { "content-type": "application/json" },
      });
      expect(res.status, body).toBeLessThan(500);
    }
  });

  test("a webhook trigger's secret is write-only: shown as a placeholder, kept when the placeholder is saved back", async () => {
    const def = minimal("Signed", {
      trigger: {
        type: "webhook",
        contact: { phone: "{{ trigger.phone }}" },
        secret: "s3cret-value-long-enough",
      },
    });
    const created = (await t.api("POST", "/api/v1/workflows", def)).body;
    expect(JSON.stringify(created)).not.toContain("s3cret-value");
    const shown = (await t.api("GET", `/api/v1/workflows/${created.id}`)).body;
    expect(shown.definition.trigger.secret).toBe(hookSecret.KEPT);
    const saved = await t.api("PUT", `/api/v1/workflows/${created.id}`, {
      ...shown.definition,
      description: "v2",
    });
    expect(saved.status).toBe(200);
    const body = JSON.stringify({ phone: "+14155550177" });
    const sign = (secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const hook = (sig: string) =>
      t.parley.server.inject({
        method: "POST",
        url: new URL(created.hook_url).pathname,
        headers: { "content-type": "application/json", "x-parley-signature": sig },
        payload: body,
      });
    expect((await hook(sign("s3cret-value-long-enough"))).statusCode).toBe(202);
    expect((await hook(sign(hookSecret.KEPT))).statusCode).toBe(401);
    const unsigned = (await t.api("POST", "/api/v1/workflows", minimal("Unsigned"))).body;
    expectProblem(
      await t.api("PUT", `/api/v1/workflows/${unsigned.id}`, {
        ...minimal("Unsigned"),
        trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" }, secret: hookSecret.KEPT },
      }),
      422,
      "trigger.secret",
    );
  });

  test("a definition's own enabled flag follows the switch, so saving it back keeps the switch's state", async () => {
    const wf = (await t.api("POST", "/api/v1/workflows", minimal("Switch", { enabled: true }))).body;
    await t.api("POST", `/api/v1/workflows/${wf.id}/disable`);
    const shown = (await t.api("GET", `/api/v1/workflows/${wf.id}`)).body;
    expect(shown.definition.enabled).toBe(false);
    const saved = await t.api("PUT", `/api/v1/workflows/${wf.id}`, {
      ...shown.definition,
      description: "edited",
    });
    expect(saved.body.enabled).toBe(false);
  });

  test("the OpenAPI document describes the workflow endpoints", async () => {
    const doc = (await t.api("GET", "/api/openapi.json", undefined, { key: null })).body;
    for (const path of [
      "/api/v1/workflows",
      "/api/v1/workflows/{id}",
      "/api/v1/workflows/{id}/trigger",
      "/api/v1/workflows/{id}/runs",
      "/api/v1/workflow-runs/{id}",
      "/api/v1/workflow-runs/{id}/cancel",
      "/api/v1/workflow-batches/{id}",
    ])
      expect(doc.paths[path], path).toBeTruthy();
  });
});

describe("links on PUBLIC_URL: a workflow's hook_url, the channels' callback URL", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { env: { PUBLIC_URL: "https://parley.example.com/" } });
  });
  afterAll(() => t.close());

  test("whatever origin the request came to", async () => {
    const created = await t.api("POST", "/api/v1/workflows", minimal("Public"));
    expect(created.body.hook_url).toMatch(/^https:\/\/parley\.example\.com\/hooks\/[\w-]{20,}$/);
    const listed = await t.api("GET", "/api/v1/workflows", undefined, {
      headers: { "x-forwarded-host": "elsewhere.example" },
    });
    expect(listed.body.data[0].hook_url).toBe(created.body.hook_url);
    const channels = await t.api("GET", "/api/v1/channels");
    expect(channels.body.webhook_url).toBe("https://parley.example.com/webhooks/whatsapp");
  });
});
