import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("workspace and categories on %s", (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  const keys = async (query = "") =>
    (await t.api("GET", `/api/v1/conversation-categories${query}`)).body.data.map(
      (c: { key: string }) => c.key,
    );

  test("GET /workspace shows the defaults", async () => {
    const res = await t.api("GET", "/api/v1/workspace");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: t.workspaceId,
      name: "Default workspace",
      brand_name: "Parley",
      closing_notes: { category: "optional", summary: "optional" },
      settings: { opt_out_keywords: ["STOP", "UNSUBSCRIBE"], opt_in_keywords: ["START"] },
    });
    expect(Date.parse(res.body.created_at)).not.toBeNaN();
  });

  test("PATCH /workspace changes brand, name and policy; fields left out stay", async () => {
    const res = await t.api("PATCH", "/api/v1/workspace", {
      brand_name: "  Acme Support  ",
      closing_notes: { category: "required" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Default workspace",
      brand_name: "Acme Support",
      closing_notes: { category: "required", summary: "optional" },
    });
    const next = await t.api("PATCH", "/api/v1/workspace", {
      name: "Acme",
      closing_notes: { summary: "required" },
      settings: { opt_out_keywords: ["STOP", "BAJA"] },
    });
    expect(next.body).toMatchObject({
      name: "Acme",
      brand_name: "Acme Support",
      closing_notes: { category: "required", summary: "required" },
      settings: { opt_out_keywords: ["STOP", "BAJA"], opt_in_keywords: ["START"] },
    });
    expect((await t.api("GET", "/api/v1/workspace")).body).toEqual(next.body);
    const reset = await t.api("PATCH", "/api/v1/workspace", {
      closing_notes: { category: "optional", summary: "optional" },
    });
    expect(reset.body.closing_notes).toEqual({ category: "optional", summary: "optional" });
  });

  test("PATCH /workspace refuses unknown and bad fields with 422s that name them", async () => {
    expectProblem(await t.api("PATCH", "/api/v1/workspace", { colour: "red" }), 422, "colour");
    expectProblem(
      await t.api("PATCH", "/api/v1/workspace", { closing_notes: { category: "sometimes" } }),
      422,
      "closing_notes.category",
    );
    expectProblem(
      await t.api("PATCH", "/api/v1/workspace", { closing_notes: { tone: "required" } }),
      422,
      "closing_notes.tone",
    );
    expectProblem(await t.api("PATCH", "/api/v1/workspace", { brand_name: "" }), 422, "brand_name");
    expectProblem(await t.api("PATCH", "/api/v1/workspace", { brand_name: 7 }), 422, "brand_name");
    expectProblem(await t.api("PATCH", "/api/v1/workspace", { settings: { x: 1 } }), 422, "settings.x");
    expectProblem(await t.api("PATCH", "/api/v1/workspace", { id: "other" }), 422, "id");
  });

  test("default categories in order", async () => {
    const res = await t.api("GET", "/api/v1/conversation-categories");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        key: "general-inquiry",
        name: "General Inquiry",
        description: expect.any(String),
        archived: false,
        position: 0,
      },
      { key: "sales", name: "Sales", description: expect.any(String), archived: false, position: 1 },
      { key: "support", name: "Support", description: expect.any(String), archived: false, position: 2 },
    ]);
  });

  test("add a category: key derived from the name when omitted, appended at the end", async () => {
    const res = await t.api("POST", "/api/v1/conversation-categories", {
      name: "Refunds & Returns!",
      description: "Money back",
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      key: "refunds-returns",
      name: "Refunds & Returns!",
      description: "Money back",
      archived: false,
      position: 3,
    });
    const explicit = await t.api("POST", "/api/v1/conversation-categories", { key: "vip", name: "VIP" });
    expect(explicit.body).toMatchObject({ key: "vip", name: "VIP", description: null, position: 4 });
    expect(await keys()).toEqual(["general-inquiry", "sales", "support", "refunds-returns", "vip"]);
  });

  test("duplicate key is a 409 naming key; bad keys and names are 422s", async () => {
    const dup = expectProblem(
      await t.api("POST", "/api/v1/conversation-categories", { key: "sales", name: "Sales again" }),
      409,
      "key",
    );
    expect(dup.code).toBe("conflict");
    // A derived key collides too.
    expectProblem(await t.api("POST", "/api/v1/conversation-categories", { name: "Support" }), 409, "key");
    expectProblem(
      await t.api("POST", "/api/v1/conversation-categories", { key: "Bad Key", name: "x" }),
      422,
      "key",
    );
    expectProblem(await t.api("POST", "/api/v1/conversation-categories", { name: "" }), 422, "name");
    expectProblem(await t.api("POST", "/api/v1/conversation-categories", {}), 422, "name");
    expectProblem(
      await t.api("POST", "/api/v1/conversation-categories", { name: "x", colour: "red" }),
      422,
      "colour",
    );
  });

  test("rename and describe keep the key", async () => {
    const renamed = await t.api("PATCH", "/api/v1/conversation-categories/vip", {
      name: "VIP customers",
      description: "Top accounts",
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ key: "vip", name: "VIP customers", description: "Top accounts" });
    const cleared = await t.api("PATCH", "/api/v1/conversation-categories/vip", { description: null });
    expect(cleared.body).toMatchObject({ name: "VIP customers", description: null });
    const moved = await t.api("PATCH", "/api/v1/conversation-categories/vip", { position: 0 });
    expect(moved.body.position).toBe(0);
    expect((await keys())[0]).toBe("general-inquiry"); // ties break by key
    expectProblem(await t.api("PATCH", "/api/v1/conversation-categories/nope", { name: "x" }), 404);
    expectProblem(await t.api("PATCH", "/api/v1/conversation-categories/vip", { name: "" }), 422, "name");
    expectProblem(await t.api("PATCH", "/api/v1/conversation-categories/vip", { key: "x" }), 422, "key");
  });

  test("archive hides from the active list, unarchive brings it back", async () => {
    const archived = await t.api("PATCH", "/api/v1/conversation-categories/refunds-returns", {
      archived: true,
    });
    expect(archived.body.archived).toBe(true);
    expect(await keys("?include_archived=false")).not.toContain("refunds-returns");
    expect(await keys()).toContain("refunds-returns");
    // Archiving twice is harmless.
    expect(
      (await t.api("PATCH", "/api/v1/conversation-categories/refunds-returns", { archived: true })).body
        .archived,
    ).toBe(true);
    const back = await t.api("PATCH", "/api/v1/conversation-categories/refunds-returns", { archived: false });
    expect(back.body.archived).toBe(false);
    expect(await keys("?include_archived=false")).toContain("refunds-returns");
    expectProblem(await t.api("GET", "/api/v1/conversation-categories?include_archived=maybe"), 422);
  });

  test("a second workspace has its own defaults and does not see these categories", async () => {
    const other = await t.otherWorkspace();
    const res = await t.api("GET", "/api/v1/conversation-categories", undefined, { key: other.apiKey });
    expect(res.body.data.map((c: { key: string }) => c.key)).toEqual(["general-inquiry", "sales", "support"]);
    const ws = await t.api("GET", "/api/v1/workspace", undefined, { key: other.apiKey });
    expect(ws.body).toMatchObject({ id: other.workspaceId, brand_name: "Parley" });
  });
});
