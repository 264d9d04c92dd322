import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectProblem } from "../support/expectProblem.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("adding a sandbox number on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { live: true });
  });
  afterAll(() => t.close());

  test("GET /simulator in a browser leads to the simulator page", async () => {
    const res = await t.api("GET", "/simulator", undefined, { key: null });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/simulate");
  });

  test("an admin adds a sandbox number that works at once; agents are refused", async () => {
    const made = await t.api("POST", "/sandbox/channels", { name: "Second sandbox" });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ name: "Second sandbox", kind: "sandbox", healthy: true });
    expect(made.body.graph_base_url).toBe(`${t.url()}/simulator`);
    const templates = await t.api("GET", `/api/v1/channels/${made.body.id}/templates`);
    expect(templates.body.data.map((x: { name: string }) => x.name).sort()).toEqual([
      "order_ready",
      "we_miss_you",
    ]);

    // The simulated customer writes to the new number; the conversation opens on it.
    const said = await t.api("POST", "/sandbox/phones/14155550777/messages", {
      text: "Hi there",
      channel_id: made.body.id,
    });
    expect(said.status, said.text).toBe(202);
    const conversation = await waitFor("the conversation on the new number", async () => {
      const res = await t.api("GET", `/api/v1/conversations?channel_id=${made.body.id}`);
      return res.body.data[0];
    });
    expect(conversation.contact.phone).toBe("+14155550777");

    // No body at all is fine too; the name counts the sandbox numbers.
    const bare = await t.api("POST", "/sandbox/channels");
    expect(bare.status, bare.text).toBe(201);
    expect(bare.body.name).toBe("Sandbox 3");

    const setup = await t.api(
      "POST",
      "/api/v1/auth/setup",
      { email: "olive@example.com", name: "Olive", password: "owner password 1" },
      { key: null },
    );
    const owner = {
      key: null,
      headers: {
        cookie: String(setup.headers["set-cookie"]).split(";")[0]!,
        "x-csrf-token": setup.body.csrf_token,
      },
    };
    await t.api(
      "POST",
      "/api/v1/users",
      { email: "ada@example.com", name: "Ada", role: "agent", password: "agent password 1" },
      owner,
    );
    const login = await t.api(
      "POST",
      "/api/v1/auth/login",
      { email: "ada@example.com", password: "agent password 1" },
      { key: null },
    );
    const agent = {
      key: null,
      headers: {
        cookie: String(login.headers["set-cookie"]).split(";")[0]!,
        "x-csrf-token": login.body.csrf_token,
      },
    };
    expect(expectProblem(await t.api("POST", "/sandbox/channels", { name: "Mine" }, agent), 403).code).toBe(
      "forbidden",
    );
    expectProblem(await t.api("POST", "/sandbox/channels", { name: "" }), 422, "name");
  });
});
