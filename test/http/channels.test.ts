import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { channelStore } from "../../src/store/channelStore.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { channelBody, startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("channels on %s", (engine) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp(engine);
    const res = await t.api("POST", "/api/v1/channels", channelBody(7));
    expect(res.status).toBe(201);
    id = res.body.id;
  });
  afterAll(() => t.close());

  test("the list gives the callback URL to paste into Meta, on the origin the request came to", async () => {
    const res = await t.api("GET", "/api/v1/channels");
    expect(res.body.webhook_url).toBe("http://localhost:80/webhooks/whatsapp");
  });

  test("PATCH changes the name, mps and secrets; secrets never come back", async () => {
    const res = await t.api("PATCH", `/api/v1/channels/${id}`, {
      name: "Support line",
      mps: 250,
      access_token: "a-brand-new-token-0001",
      app_secret: "a-new-app-secret",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: "Support line", mps: 250, healthy: true });
    expect(JSON.stringify(res.body)).not.toContain("a-brand-new-token-0001");
    const secrets = await channelStore.secrets(t.parley.deps.store, id);
    expect(secrets).toMatchObject({ accessToken: "a-brand-new-token-0001", appSecret: "a-new-app-secret" });
  });

  test("a new access token makes an unhealthy channel healthy again", async () => {
    await t.parley.deps.store.db
      .updateTable("channels")
      .set({ healthy: 0, unhealthy_reason: "190: Error validating access token" })
      .where("id", "=", id)
      .execute();
    expect((await t.api("GET", `/api/v1/channels/${id}`)).body.healthy).toBe(false);
    const renamed = await t.api("PATCH", `/api/v1/channels/${id}`, { name: "Still broken" });
    expect(renamed.body.healthy).toBe(false);
    const fixed = await t.api("PATCH", `/api/v1/channels/${id}`, { access_token: "the-fixed-token-0002" });
    expect(fixed.body).toMatchObject({ healthy: true, unhealthy_reason: null });
  });

  test("bad patches are problems naming the field; ids can't change; other workspaces get 404", async () => {
    expectProblem(await t.api("PATCH", `/api/v1/channels/${id}`, {}), 422);
    expectProblem(await t.api("PATCH", `/api/v1/channels/${id}`, { mps: 5000 }), 422, "mps");
    expectProblem(
      await t.api("PATCH", `/api/v1/channels/${id}`, { phone_number_id: "123456" }),
      422,
      "phone_number_id",
    );
    expectProblem(
      await t.api("PATCH", `/api/v1/channels/${id}`, { access_token: "short" }),
      422,
      "access_token",
    );
    const other = await t.otherWorkspace();
    expectProblem(
      await t.api("PATCH", `/api/v1/channels/${id}`, { name: "mine" }, { key: other.apiKey }),
      404,
    );
    expectProblem(await t.api("PATCH", "/api/v1/channels/nope", { name: "x" }), 404);
  });
});
