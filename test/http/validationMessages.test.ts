import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";

describe("validation messages name the fix, not just 'Invalid input'", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite");
  });
  afterAll(() => t.close());

  test("a branch condition with an unknown op, and an audience field of the wrong type", async () => {
    const res = await t.api("POST", "/api/v1/workflows", {
      name: "Bad branch",
      trigger: { type: "manual", audience: { fields: { plan: { nested: true } } } },
      steps: [
        { id: "open", type: "open_conversation" },
        {
          id: "route",
          type: "branch",
          branches: [{ when: { var: "answer.id", op: "bogus" }, next: "open" }],
        },
      ],
    });
    const p = expectProblem(res, 422);
    const fields = Object.fromEntries((p.errors ?? []).map((e) => [e.field, e.message]));
    expect(fields["steps[1].branches[0].when.op"]).toMatch(/^Invalid option: expected one of "eq"\|"neq"/);
    expect(fields["trigger.audience.fields.plan"]).toBe(
      "Invalid input: expected string, number or boolean, received object",
    );
  });
});

describe("a workflow's close step and the workspace's closing notes", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite");
  });
  afterAll(() => t.close());

  test("a close without the category the workspace requires is refused on save, not on every run", async () => {
    const def = {
      name: "Closer",
      trigger: { type: "manual" },
      steps: [{ id: "close", type: "close_conversation", summary: "done" }],
    };
    expect((await t.api("POST", "/api/v1/workflows", def)).status).toBe(201);
    await t.api("PATCH", "/api/v1/workspace", { closing_notes: { category: "required" } });
    expectProblem(
      await t.api("POST", "/api/v1/workflows", { ...def, name: "Closer 2" }),
      422,
      "steps[0].category",
    );
  });
});
