import { readFileSync } from "node:fs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createParley, type Parley } from "../../src/app/createParley.ts";
import { loadConfig } from "../../src/config/loadConfig.ts";
import { runCli as parley } from "../support/runCli.ts";
import { TEST_SECRET } from "../support/testApp.ts";
import { createTestDatabase, engines, type TestDatabase } from "../support/testDatabase.ts";

describe.each(engines)("parley migrate, workspace create, apikey create on %s", (engine) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let app: Parley | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    env = { DATABASE_URL: db.url, PARLEY_SECRET_KEY: TEST_SECRET, PARLEY_DATA_DIR: db.dataDir };
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  test("the printed id and key work against an app started on that database", async () => {
    const migrated = await parley(["migrate"], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.lastLine).toMatch(/^applied: 001_core/);

    const ws = await parley(["workspace", "create", "--name", "Acme Corp", "--brand", "Acme"], env);
    expect(ws.code, ws.stderr).toBe(0);
    const workspaceId = ws.lastLine;
    expect(workspaceId).toMatch(/^[0-9a-f-]{36}$/);

    const key = await parley(["apikey", "create", "--workspace", workspaceId, "--name", "ci"], env);
    expect(key.code, key.stderr).toBe(0);
    expect(key.lastLine).toMatch(/^pk_[A-Za-z0-9_-]{20,}$/);

    app = await createParley(
      loadConfig({ ...env, LOG_LEVEL: "silent", PARLEY_SIMULATOR: "off" }),
      pino({ level: "silent" }),
    );
    // The CLI created the first workspace, so the server does not bootstrap another.
    expect(app.bootstrap).toBeNull();
    const as = (k: string, url = "/api/v1/workspace") =>
      app!.server.inject({ method: "GET", url, headers: { authorization: `Bearer ${k}` } });
    const res = await as(key.lastLine);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: workspaceId, name: "Acme Corp", brand_name: "Acme" });
    const cats = await as(key.lastLine, "/api/v1/conversation-categories");
    expect(cats.json().data.map((c: { key: string }) => c.key)).toEqual([
      "general-inquiry",
      "sales",
      "support",
    ]);
    const wrong = await as(`${key.lastLine}x`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers["content-type"]).toContain("application/problem+json");
  });
});

describe("parley --help and --version", () => {
  test("the help lists the README's commands in its order, how to configure them, and examples", async () => {
    const help = await parley(["--help"], {});
    expect(help.code, help.stderr).toBe(0);
    const commands = [...help.stdout.matchAll(/^ {2}(\w+)\b/gm)].map((m) => m[1]);
    expect(commands.slice(0, 8)).toEqual([
      "serve",
      "worker",
      "migrate",
      "workspace",
      "apikey",
      "workflow",
      "simulator",
      "sandbox",
    ]);
    expect(help.stdout).toMatch(/DATABASE_URL/);
    expect(help.stdout).toMatch(/PARLEY_API_KEY/);
    expect(help.stdout).toMatch(/Examples:/);
  });

  test("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const out = await parley(["--version"], {});
    expect(out.code).toBe(0);
    expect(out.lastLine).toBe(version);
  });
});
