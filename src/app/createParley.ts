import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type DeliveryOptions, DeliveryWorker } from "../channels/whatsapp/delivery/DeliveryWorker.ts";
import { MemoryRateLimiter, PostgresRateLimiter } from "../channels/whatsapp/delivery/RateLimiter.ts";
import { ChannelDirectory } from "../channels/whatsapp/ingest/ChannelDirectory.ts";
import { WebhookInbox } from "../channels/whatsapp/ingest/WebhookInbox.ts";
import { WebhookProcessor } from "../channels/whatsapp/ingest/WebhookProcessor.ts";
import { WebhookThread } from "../channels/whatsapp/ingest/WebhookThread.ts";
import { webhookRoutes } from "../channels/whatsapp/ingest/webhookRoutes.ts";
import type { Config } from "../config/loadConfig.ts";
import { resolveSecretKey } from "../config/resolveSecretKey.ts";
import { WorkflowEngine, type WorkflowEngineOptions } from "../engine/WorkflowEngine.ts";
import { buildServer } from "../http/buildServer.ts";
import { EventHub } from "../live/EventHub.ts";
import { createDatabase } from "../store/createDatabase.ts";
import { migrate } from "../store/migrate.ts";
import { SecretBox } from "../store/secretBox.ts";
import { createStoreContext } from "../store/storeContext.ts";
import { ThreadWriteLock } from "../store/ThreadWriteLock.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import type { AppContext } from "./AppContext.ts";
import { mountSandbox, type Sandbox } from "./mountSandbox.ts";

export interface Parley {
  deps: AppContext;
  server: FastifyInstance;
  /** Set on the very first start: the default workspace and its admin API key (shown once). */
  bootstrap: { workspaceId: string; apiKey: string } | null;
  /** Webhook processing: in this thread, or on the webhook thread (SQLite file, PARLEY_WEBHOOK_THREAD=on). */
  processor: WebhookIngestion;
  delivery: DeliveryWorker;
  workflows: WorkflowEngine;
  sandbox: Sandbox | null;
  /** Starts the background workers (webhook processing, delivery); `serve` and `worker` call it. */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookIngestion {
  start(): void;
  stop(): Promise<void>;
  /** Resolves when every delivery accepted so far is processed (tests and benchmarks). */
  drain(): Promise<void>;
}

export interface ParleyOptions {
  /** Clock for tests. */
  now?: () => number;
  delivery?: Partial<DeliveryOptions>;
  /** Simulator status delays (ms) for the embedded sandbox. */
  simulatorDelays?: { sentMs: number; deliveredMs: number; readMs: number | null };
  workflows?: WorkflowEngineOptions;
  /** Serve the built web app at `/` (what `parley serve` does). */
  webApp?: boolean;
}

/**
 * The composition root: database, migrations, secrets, event hub, WhatsApp ingestion and delivery, the
 * embedded simulator, and the HTTP server. Nothing listens until `server.listen`, nothing runs in the
 * background until `startWorkers`.
 */
export async function createParley(
  config: Config,
  log: Logger,
  options: ParleyOptions = {},
): Promise<Parley> {
  // A test's clock can't cross into another thread, and an in-memory SQLite database can't be shared with one.
  const threaded =
    config.PARLEY_WEBHOOK_THREAD === "on" &&
    config.DATABASE_URL.startsWith("sqlite:") &&
    config.DATABASE_URL !== "sqlite::memory:" &&
    !options.now;
  const threadLock = threaded ? new ThreadWriteLock() : undefined;
  const database = createDatabase(config.DATABASE_URL, { poolSize: config.PARLEY_PG_POOL, threadLock });
  try {
    await migrate(database.db, database.dialect);
    const secretKey = resolveSecretKey(config.PARLEY_SECRET_KEY, config.dataDir, log);
    const secrets = new SecretBox(secretKey);
    const store = createStoreContext(database, secrets, options.now);
    const deps: AppContext = { config, log, store };

    let bootstrap: Parley["bootstrap"] = null;
    if (!(await workspaceStore.first(store))) {
      const ws = await workspaceStore.create(store, { name: "Default workspace" });
      const { key } = await workspaceStore.createApiKey(store, ws.id, "admin (first start)");
      bootstrap = { workspaceId: ws.id, apiKey: key };
    }

    const hub = new EventHub(store, log);
    await hub.start();
    const directory = new ChannelDirectory(store);
    let inbox: Pick<WebhookInbox, "accept">;
    let processor: WebhookIngestion;
    if (threadLock && database.file) {
      const thread = new WebhookThread({
        spoolDir: `${database.file}.webhook-spool`,
        url: config.DATABASE_URL,
        lock: threadLock,
        secretKey,
        log,
        bus: store.bus,
      });
      deps.webhookBacklog = () => thread.backlog;
      inbox = thread;
      processor = thread;
    } else {
      inbox = new WebhookInbox(store);
      processor = new WebhookProcessor(store, directory, log);
    }
    const limiter =
      database.dialect === "postgres" ? new PostgresRateLimiter(store) : new MemoryRateLimiter();
    const delivery = new DeliveryWorker(store, directory, limiter, log, options.delivery);
    const workflows = new WorkflowEngine(store, log, {
      allowPrivateHttp: config.PARLEY_HTTP_ALLOW_PRIVATE === "on",
      ...options.workflows,
    });

    let sandbox: Sandbox | null = null;
    const server = await buildServer(deps, {
      hub,
      webApp: options.webApp ?? false,
      extra: async (app) => {
        webhookRoutes(app, { directory, inbox, log });
        if (config.PARLEY_SIMULATOR === "on")
          sandbox = await mountSandbox(app, deps, { delays: options.simulatorDelays });
      },
    });
    let workers = false;
    return {
      deps,
      server,
      bootstrap,
      processor,
      delivery,
      workflows,
      get sandbox() {
        return sandbox;
      },
      async startWorkers() {
        if (workers) return;
        workers = true;
        processor.start();
        await delivery.start();
        await workflows.start();
      },
      async close() {
        await server.close();
        await workflows.stop();
        await processor.stop();
        if (workers) await delivery.stop();
        await sandbox?.close();
        await hub.stop();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
