import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { channelStore } from "../../src/store/channelStore.ts";
import { expectProblem } from "../support/expectProblem.ts";
import { channelBody, startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const TOKEN = "EAAG-super-secret-access-token-123456";
const APP_SECRET = "app-secret-0123456789";
const VERIFY = "verify-token-0123456789";

describe.each(engines)("channel secrets on %s", (engine) => {
  let t: TestApp;
  let channelId: string;
  let createdText: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const res = await t.api("POST", "/api/v1/channels", {
      ...channelBody(5),
      access_token: TOKEN,
      app_secret: APP_SECRET,
      verify_token: VERIFY,
    });
    expect(res.status).toBe(201);
    channelId = res.body.id;
    createdText = res.text;
  });
  afterAll(() => t.close());

  test("the API never returns them", async () => {
    const resources = [
      createdText,
      (await t.api("GET", `/api/v1/channels/${channelId}`)).text,
      (await t.api("GET", "/api/v1/channels")).text,
    ];
    const openapi = (await t.api("GET", "/api/openapi.json", undefined, { key: null })).text;
    for (const text of [...resources, openapi]) {
      expect(text.includes(TOKEN) || text.includes(APP_SECRET) || text.includes(VERIFY)).toBe(false);
    }
    for (const text of resources) expect(text).not.toMatch(/access_token|app_secret|verify_token|_enc/);
    const got = await t.api("GET", `/api/v1/channels/${channelId}`);
    expect(got.body).toMatchObject({ id: channelId, phone_number_id: channelBody(5).phone_number_id });
    expect(Object.keys(got.body).some((k) => /token|secret/.test(k))).toBe(false);
  });

  test("they are stored encrypted, and open again with the key", async () => {
    const row = await t.parley.deps.store.db
      .selectFrom("channels")
      .select(["access_token_enc", "app_secret_enc", "verify_token_enc"])
      .where("id", "=", channelId)
      .executeTakeFirstOrThrow();
    expect(row.access_token_enc).not.toContain(TOKEN);
    expect(row.access_token_enc).not.toContain(Buffer.from(TOKEN).toString("base64"));
    expect(row.access_token_enc).not.toContain(Buffer.from(TOKEN).toString("hex"));
    expect(row.app_secret_enc).not.toContain(APP_SECRET);
    expect(row.verify_token_enc).not.toContain(VERIFY);
    expect(row.access_token_enc.length).toBeGreaterThan(TOKEN.length);
    const secrets = await channelStore.secrets(t.parley.deps.store, channelId);
    expect(secrets).toEqual({ accessToken: TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY });
  });

  test("sealing the same token twice gives different ciphertexts", async () => {
    const res = await t.api("POST", "/api/v1/channels", { ...channelBody(6), access_token: TOKEN });
    const rows = await t.parley.deps.store.db
      .selectFrom("channels")
      .select(["id", "access_token_enc"])
      .where("id", "in", [channelId, res.body.id])
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.access_token_enc).not.toBe(rows[1]!.access_token_enc);
  });

  test("the raw database dump holds no secret in clear", async () => {
    const db = t.parley.deps.store.db;
    const tables = ["channels", "events", "workspaces", "api_keys"] as const;
    for (const table of tables) {
      const rows = await db.selectFrom(table).selectAll().execute();
      const dump = JSON.stringify(rows);
      expect(dump, table).not.toContain(TOKEN);
      expect(dump, table).not.toContain(APP_SECRET);
      expect(dump, table).not.toContain(t.apiKey);
    }
  });

  test("a duplicate phone_number_id is a 409; bad channel input is named", async () => {
    expectProblem(await t.api("POST", "/api/v1/channels", channelBody(5)), 409, "phone_number_id");
    expectProblem(
      await t.api("POST", "/api/v1/channels", { ...channelBody(8), access_token: "short" }),
      422,
      "access_token",
    );
    expectProblem(
      await t.api("POST", "/api/v1/channels", { ...channelBody(8), graph_version: "23" }),
      422,
      "graph_version",
    );
  });
});
