import pino from "pino";
import { createParley, type Parley, type ParleyOptions } from "../../src/app/createParley.ts";
import { type Config, loadConfig } from "../../src/config/loadConfig.ts";
import { workspaceStore } from "../../src/store/workspaceStore.ts";
import { createTestDatabase, type Engine, type TestDatabase } from "./testDatabase.ts";

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  text: string;
}

export interface TestApp {
  parley: Parley;
  config: Config;
  db: TestDatabase;
  apiKey: string;
  workspaceId: string;
  /** Calls the API in-process (Fastify inject) with the workspace's key unless `key` is given. */
  api<T = any>(
    method: string,
    url: string,
    body?: unknown,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** The base URL of the live server (only with `live: true`). */
  url(): string;
  /** A second workspace with its own key, for isolation tests. */
  otherWorkspace(): Promise<{ workspaceId: string; apiKey: string }>;
  /** Stops the server but keeps the database, then starts a new server on it. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_SECRET = "test-secret-key-with-at-least-32-characters!";

/** Starts Parley on a fresh database of the given engine, with a workspace and API key ready. */
export interface TestAppOptions {
  env?: Record<string, string>;
  now?: () => number;
  /**
   * Listen on a real port with the built-in simulator and sandbox channel, and run the webhook processor and
   * the delivery worker: the whole WhatsApp loop.
   */
  live?: boolean;
  delivery?: ParleyOptions["delivery"];
  /** Run the workflow engine without the rest of the live loop (triggers, runner, scheduler). */
  workflows?: boolean;
  workflowOptions?: ParleyOptions["workflows"];
  /** Serve the built web app at `/` (browser tests). */
  webApp?: boolean;
}

export async function startTestApp(engine: Engine, options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase(engine);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PARLEY_DATA_DIR: db.dataDir,
    PARLEY_SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: "silent",
    PORT: "0",
    HOST: "127.0.0.1",
    PARLEY_SIMULATOR: options.live ? "on" : "off",
    ...options.env,
  });
  const log = pino({ level: "silent" });
  const parleyOptions: ParleyOptions = {
    now: options.now,
    delivery: { timeoutMs: 2000, ...options.delivery },
    simulatorDelays: { sentMs: 5, deliveredMs: 15, readMs: 30 },
    workflows: { pollMs: 50, schedulerTickMs: 200, ...options.workflowOptions },
    webApp: options.webApp,
  };
  const boot = async () => {
    const p = await createParley(config, log, parleyOptions);
    if (options.live) {
      await p.server.listen({ port: 0, host: "127.0.0.1" });
      const port = p.server.addresses().find((a) => typeof a === "object")?.port;
      await p.sandbox?.setLocalUrl(`http://127.0.0.1:${port}`);
      await p.startWorkers();
    } else if (options.workflows) await p.workflows.start();
    return p;
  };
  let parley = await boot();
  if (!parley.bootstrap) throw new Error("expected a fresh database");
  const { workspaceId, apiKey } = parley.bootstrap;

  const app: TestApp = {
    get parley() {
      return parley;
    },
    config,
    db,
    apiKey,
    workspaceId,
    async api(method, url, body, opts = {}) {
      const key = opts.key === undefined ? apiKey : opts.key;
      const headers: Record<string, string> = {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...opts.headers,
      };
      const res = await parley.server.inject({
        method: method as "GET",
        url,
        headers,
        ...(body === undefined
          ? {}
          : typeof body === "string"
            ? { payload: body }
            : { payload: body as object }),
      });
      let parsed: unknown;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.statusCode, headers: res.headers, body: parsed as any, text: res.body };
    },
    url() {
      const port = parley.server.addresses().find((a) => typeof a === "object")?.port;
      if (!port) throw new Error("the test app is not listening; start it with live: true");
      return `http://127.0.0.1:${port}`;
    },
    async otherWorkspace() {
      const ws = await workspaceStore.create(parley.deps.store, { name: "Other" });
      const { key } = await workspaceStore.createApiKey(parley.deps.store, ws.id, "other");
      return { workspaceId: ws.id, apiKey: key };
    },
    async restart() {
      await parley.close();
      parley = await boot();
    },
    async close() {
      await parley.close();
      await db.drop();
    },
  };
  return app;
}

/** A valid channel body for POST /api/v1/channels. */
export function channelBody(n = 1) {
  return {
    name: `Main number ${n}`,
    phone_number_id: `10654035224292${n}`,
    display_phone_number: `+1 555 078 388${n}`,
    waba_id: `10234567890123${n}`,
    access_token: "EAAG-test-access-token",
    app_secret: "test-app-secret",
    verify_token: "test-verify-token",
  };
}

/** Polls `check` until it returns a truthy value or the time is up (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
