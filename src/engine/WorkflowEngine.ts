import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import type { StoreContext } from "../store/storeContext.ts";
import type { EngineEnv } from "./EngineEnv.ts";
import { Scheduler } from "./Scheduler.ts";
import { TriggerDispatcher } from "./TriggerDispatcher.ts";
import { type RunnerOptions, WorkflowRunner } from "./WorkflowRunner.ts";

export interface WorkflowEngineOptions extends Partial<RunnerOptions> {
  leaseMs?: number;
  allowPrivateHttp?: boolean;
  schedulerTickMs?: number;
  autoCloseEveryMs?: number;
}

/**
 * The workflow engine of one process: the trigger dispatcher (events → runs and answers), the runner (claims
 * and drives due runs) and the scheduler (cron and date triggers). Woken by local commits, by PostgreSQL NOTIFY
 * from other processes, and by timers.
 */
export class WorkflowEngine {
  readonly env: EngineEnv;
  readonly runner: WorkflowRunner;
  readonly dispatcher: TriggerDispatcher;
  readonly scheduler: Scheduler;
  #listener: pg.Client | undefined;

  constructor(store: StoreContext, log: Logger, opts: WorkflowEngineOptions = {}) {
    this.env = {
      store,
      log: log.child({ component: "workflows" }),
      owner: `${process.pid}-${randomBytes(4).toString("hex")}`,
      leaseMs: opts.leaseMs ?? 60_000,
      allowPrivateHttp: opts.allowPrivateHttp ?? false,
    };
    this.runner = new WorkflowRunner(this.env, opts);
    this.dispatcher = new TriggerDispatcher(this.env);
    this.scheduler = new Scheduler(this.env, opts.schedulerTickMs, opts.autoCloseEveryMs);
  }

  async start(): Promise<void> {
    this.dispatcher.start();
    this.runner.start();
    this.scheduler.start();
    const url = this.env.store.database.url;
    if (url) {
      const client = new pg.Client({ connectionString: url });
      client.on("error", (err) => this.env.log.warn({ err }, "workflow listener connection failed"));
      client.on("notification", (n) => {
        if (n.channel === "parley_events") this.dispatcher.wake();
        this.runner.wake();
      });
      await client.connect();
      await client.query("LISTEN parley_events");
      await client.query("LISTEN parley_runs");
      this.#listener = client;
    }
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.dispatcher.stop();
    await this.runner.stop();
    await this.#listener?.end().catch(() => {});
  }
}
