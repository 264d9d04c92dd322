import { sql } from "kysely";
import { Pump } from "../runtime/Pump.ts";
import { advanceBatch } from "./advanceBatch.ts";
import { advanceRun } from "./advanceRun.ts";
import type { EngineEnv } from "./EngineEnv.ts";

export interface RunnerOptions {
  /** Runs driven at once by this process. */
  concurrency: number;
  /** Runs advanced together in one transaction (see advanceBatch). */
  batchSize: number;
  /** Safety-net poll for due timers and missed wake-ups. */
  pollMs: number;
}

/**
 * Claims due runs and drives them. A claim is a lease (owner + expiry) taken in one statement; on PostgreSQL
 * `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side without taking the same run, and a
 * dead worker's runs become claimable again when its lease runs out. Every committed round renews a run's
 * lease, and a heartbeat renews all of this process's leases every third of the lease time, so a run waiting
 * on a slow http_request is never taken over while its process is alive.
 */
export class WorkflowRunner {
  readonly #env: EngineEnv;
  readonly #opts: RunnerOptions;
  #inFlight = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  /** The runs this process is driving now: the heartbeat renews exactly these leases. */
  readonly #driving = new Set<string>();
  readonly #pump: Pump;

  constructor(env: EngineEnv, opts: Partial<RunnerOptions> = {}) {
    this.#env = env;
    this.#opts = { concurrency: 256, batchSize: 64, pollMs: 200, ...opts };
    this.#pump = new Pump({
      pass: () => this.#pass(),
      onError: (err) => env.log.error({ err }, "workflow runner: claiming runs failed"),
      bus: env.store.bus,
      intervalMs: this.#opts.pollMs,
    });
  }

  get wake(): () => void {
    return this.#pump.wake;
  }

  start(): void {
    this.#pump.start();
    this.#heartbeat = setInterval(() => void this.#renewLeases(), Math.max(100, this.#env.leaseMs / 3));
    this.#heartbeat.unref();
  }

  async #renewLeases(): Promise<void> {
    const ids = [...this.#driving];
    const { store, owner, leaseMs } = this.#env;
    try {
      for (let i = 0; i < ids.length; i += 500)
        await store.db
          .updateTable("workflow_runs")
          .set({ lease_until: store.now() + leaseMs })
          .where("id", "in", ids.slice(i, i + 500))
          .where("lease_owner", "=", owner)
          .execute();
    } catch (err) {
      this.#env.log.warn({ err }, "workflow runner: renewing leases failed");
    }
  }

  async stop(): Promise<void> {
    await this.#pump.stop();
    // Leases stay renewed until the last run in flight has committed.
    while (this.#inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    clearInterval(this.#heartbeat);
  }

  /** Claims as many due runs as there is room for and starts driving them, a batch per transaction. */
  async #pass(): Promise<boolean> {
    const room = this.#opts.concurrency - this.#inFlight;
    if (room <= 0) return false;
    const ids = await this.#claim(room);
    for (let i = 0; i < ids.length; i += this.#opts.batchSize)
      void this.#drive(ids.slice(i, i + this.#opts.batchSize));
    return ids.length === room;
  }

  async #claim(limit: number): Promise<string[]> {
    const { store, owner, leaseMs } = this.#env;
    const now = store.now();
    const lock = store.dialect === "postgres" ? sql`for update skip locked` : sql``;
    const res = await sql<{ id: string }>`
      update workflow_runs set lease_owner = ${owner}, lease_until = ${now + leaseMs}
      where id in (
        select id from workflow_runs
        where status in ('running', 'waiting') and wake_at <= ${now}
          and (lease_until is null or lease_until < ${now})
        order by wake_at
        limit ${limit}
        ${lock}
      )
      returning id`.execute(store.db);
    return res.rows.map((r) => r.id);
  }

  async #drive(runIds: string[]): Promise<void> {
    this.#inFlight += runIds.length;
    for (const id of runIds) this.#driving.add(id);
    let left = runIds.length;
    try {
      const rest = runIds.length > 1 ? await advanceBatch(this.#env, runIds) : runIds;
      const more = new Set(rest);
      for (const id of runIds) if (!more.has(id)) this.#driving.delete(id);
      left = rest.length;
      this.#inFlight -= runIds.length - rest.length;
      await Promise.all(rest.map((id) => this.#driveOne(id)));
      left = 0;
    } finally {
      this.#inFlight -= left;
      this.#pump.wake();
    }
  }

  async #driveOne(runId: string): Promise<void> {
    try {
      await advanceRun(this.#env, runId);
    } catch (err) {
      // The lease runs out and another attempt picks the run up again.
      this.#env.log.error({ err, runId }, "workflow runner: run failed unexpectedly");
    } finally {
      this.#inFlight--;
      this.#driving.delete(runId);
    }
  }
}
