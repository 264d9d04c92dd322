import { spawn } from "node:child_process";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createParley } from "../../src/app/createParley.ts";
import { loadConfig } from "../../src/config/loadConfig.ts";
import { BIN, cleanEnv, runCli as parley, ROOT } from "../support/runCli.ts";
import { TEST_SECRET } from "../support/testApp.ts";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.ts";

describe("CLI errors, defaults and parley serve", () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let defaultWorkspaceId: string;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    env = { DATABASE_URL: db.url, PARLEY_SECRET_KEY: TEST_SECRET, PARLEY_DATA_DIR: db.dataDir };
    // A database that a server has already started on: migrated, with its default workspace.
    const app = await createParley(
      loadConfig({ ...env, LOG_LEVEL: "silent", PARLEY_SIMULATOR: "off" }),
      pino({ level: "silent" }),
    );
    defaultWorkspaceId = app.bootstrap!.workspaceId;
    await app.close();
  });
  afterAll(() => db.drop());

  test("errors exit non-zero with a clear message; apikey create defaults to the first workspace", async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ PORT: "abc" }, ["migrate"], /PORT/],
      [
        { DATABASE_URL: "mysql://localhost/x", PARLEY_SECRET_KEY: "short" },
        ["workspace", "create", "--name", "X"],
        /DATABASE_URL[\s\S]*PARLEY_SECRET_KEY/,
      ],
      [{}, ["workspace", "create"], /--name/],
      [{}, ["apikey", "create", "--workspace", "no-such-workspace"], /no-such-workspace/],
    ];
    const [runs, defaultKey, upToDate] = await Promise.all([
      Promise.all(cases.map(([bad, args]) => parley(args, { ...env, ...bad }))),
      parley(["apikey", "create"], env),
      parley(["migrate"], env),
    ]);
    runs.forEach((run, i) => {
      const [bad, args, message] = cases[i]!;
      expect(run.code, `${JSON.stringify(bad)} ${args.join(" ")}`).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stdout.trim()).toBe("");
    });
    expect(runs[0]!.stderr).toMatch(/^parley: Invalid configuration/);

    expect(upToDate.code, upToDate.stderr).toBe(0);
    expect(upToDate.lastLine).toBe("schema is up to date");
    expect(defaultKey.code, defaultKey.stderr).toBe(0);
    const app = await createParley(
      loadConfig({ ...env, LOG_LEVEL: "silent", PARLEY_SIMULATOR: "off" }),
      pino({ level: "silent" }),
    );
    try {
      const res = await app.server.inject({
        method: "GET",
        url: "/api/v1/workspace",
        headers: { authorization: `Bearer ${defaultKey.lastLine}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().id).toBe(defaultWorkspaceId);
    } finally {
      await app.close();
    }
  });

  test("parley serve prints the first-start key, serves it over TCP and stops cleanly on SIGTERM", async () => {
    const fresh = await createTestDatabase("sqlite");
    const child = spawn(process.execPath, [BIN, "serve"], {
      cwd: ROOT,
      env: cleanEnv({
        DATABASE_URL: fresh.url,
        PARLEY_DATA_DIR: fresh.dataDir,
        PARLEY_SECRET_KEY: TEST_SECRET,
        PORT: "0",
        HOST: "127.0.0.1",
        PARLEY_SIMULATOR: "off",
        LOG_LEVEL: "info",
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 15_000);
        const check = () => {
          const m = /Parley is listening on (http:\/\/[\d.:]+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        child.stdout.on("data", check);
        child.on("exit", () => reject(new Error(`serve exited: ${out}`)));
      });
      const key = /PARLEY_API_KEY=(pk_\S+)/.exec(out)?.[1];
      expect(key).toBeDefined();
      const res = await fetch(`${base}/api/v1/workspace`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ name: "Default workspace" });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await fresh.drop();
    }
  });
  test("parley worker on SQLite keeps running until SIGTERM, then stops cleanly", async () => {
    const child = spawn(process.execPath, [BIN, "worker"], {
      cwd: ROOT,
      env: cleanEnv({ ...env, LOG_LEVEL: "info" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const started = Date.now();
      while (!out.includes("worker started")) {
        if (child.exitCode !== null || Date.now() - started > 15_000) throw new Error(`worker: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1_500));
      expect(child.exitCode).toBeNull();
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
