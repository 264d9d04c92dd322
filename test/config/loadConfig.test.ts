import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/loadConfig.ts";
import { resolveSecretKey } from "../../src/config/resolveSecretKey.ts";

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("defaults", () => {
    expect(loadConfig({})).toEqual({
      PORT: 3000,
      HOST: "0.0.0.0",
      DATABASE_URL: "sqlite:./data/parley.db",
      LOG_LEVEL: "info",
      PARLEY_SIMULATOR: "on",
      PARLEY_WEBHOOK_THREAD: "on",
      PARLEY_HTTP_ALLOW_PRIVATE: "off",
      PARLEY_PG_POOL: 4,
      PARLEY_TRUST_PROXY: "loopback,linklocal,uniquelocal",
      dataDir: "./data",
    });
  });

  test("reads and coerces what is set; ignores unrelated and empty variables", () => {
    const c = loadConfig({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATABASE_URL: "postgres://u:p@db:5432/parley",
      LOG_LEVEL: "debug",
      PUBLIC_URL: "https://parley.example.com",
      PARLEY_SIMULATOR: "off",
      PARLEY_SECRET_KEY: "k".repeat(32),
      PATH: "/usr/bin",
      PARLEY_DATA_DIR: "",
    });
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: "127.0.0.1",
      DATABASE_URL: "postgres://u:p@db:5432/parley",
      LOG_LEVEL: "debug",
      PUBLIC_URL: "https://parley.example.com",
      PARLEY_SIMULATOR: "off",
      PARLEY_SECRET_KEY: "k".repeat(32),
      dataDir: "./data",
    });
    expect(c).not.toHaveProperty("PATH");
    expect(c).not.toHaveProperty("PARLEY_DATA_DIR");
  });

  test("the data folder follows the SQLite file unless PARLEY_DATA_DIR is set", () => {
    expect(loadConfig({ DATABASE_URL: "sqlite:/var/lib/parley/p.db" }).dataDir).toBe("/var/lib/parley");
    expect(loadConfig({ DATABASE_URL: "sqlite::memory:" }).dataDir).toBe("./data");
    expect(loadConfig({ DATABASE_URL: "postgresql://h/db" }).dataDir).toBe("./data");
    expect(loadConfig({ DATABASE_URL: "sqlite:/a/b.db", PARLEY_DATA_DIR: "/srv/x" }).dataDir).toBe("/srv/x");
  });

  test.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "-1" }, "PORT"],
    [{ PORT: "80.5" }, "PORT"],
    [{ DATABASE_URL: "mysql://localhost/db" }, "DATABASE_URL"],
    [{ DATABASE_URL: "parley.db" }, "DATABASE_URL"],
    [{ PARLEY_SECRET_KEY: "too-short" }, "PARLEY_SECRET_KEY"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL"],
    [{ PUBLIC_URL: "not a url" }, "PUBLIC_URL"],
    [{ PARLEY_SIMULATOR: "yes" }, "PARLEY_SIMULATOR"],
    [{ PARLEY_PG_POOL: "1" }, "PARLEY_PG_POOL"],
    [{ PARLEY_PG_POOL: "lots" }, "PARLEY_PG_POOL"],
  ])("%j is refused naming %s", (env, name) => {
    const err = errorOf(env);
    expect(err.message).toMatch(/^Invalid configuration/);
    expect(err.message).toContain(`${name}:`);
  });

  test("every bad variable is named at once", () => {
    const err = errorOf({ PORT: "x", LOG_LEVEL: "loud", DATABASE_URL: "ftp://x" });
    for (const name of ["PORT", "LOG_LEVEL", "DATABASE_URL"]) expect(err.message).toContain(`${name}:`);
  });

  test("the secret-key message says how long it must be", () => {
    expect(errorOf({ PARLEY_SECRET_KEY: "x" }).message).toMatch(/32/);
  });
});

describe("resolveSecretKey", () => {
  const log = pino({ level: "silent" });

  test("uses PARLEY_SECRET_KEY when set, without touching the data folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-key-"));
    try {
      expect(resolveSecretKey("k".repeat(40), join(dir, "never"), log)).toBe("k".repeat(40));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("otherwise generates secret.key once and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-key-"));
    try {
      const data = join(dir, "data");
      const first = resolveSecretKey(undefined, data, log);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(join(data, "secret.key"), "utf8").trim()).toBe(first);
      expect(resolveSecretKey(undefined, data, log)).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
