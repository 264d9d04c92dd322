import { sql } from "kysely";
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
  #running = false;
  #again = false;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  /** The runs this process is driving now: the heartbeat renews exactly these leases. */
  readonly #driving = new Set<string>();
  #scheduled = false;
  // Commits come in bursts; one pump per turn of the event loop serves them all.
  readonly #wake = () => {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#pump();
    });
  };

  constructor(env: EngineEnv, opts: Partial<RunnerOptions> = {}) {
    this.#env = env;
    this.#opts = { concurrency: 256, batchSize: 64, pollMs: 200, ...opts };
  }

  get wake(): () => void {
    return this.#wake;
  }

  start(): void {
    this.#stopped = false;
    this.#env.store.bus.on("committed", this.#wake);
    this.#timer = setInterval(this.#wake, this.#opts.pollMs);
    this.#timer.unref();
    this.#heartbeat = setInterval(() => void this.#renewLeases(), Math.max(100, this.#env.leaseMs / 3));
    this.#heartbeat.unref();
    this.#wake();
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
    this.#stopped = true;
    this.#env.store.bus.off("committed", this.#wake);
    clearInterval(this.#timer);
    clearInterval(this.#heartbeat);
    while (this.#inFlight > 0 || this.#running) await new Promise((r) => setTimeout(r, 5));
  }

  async #pump(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        const room = this.#opts.concurrency - this.#inFlight;
        if (room <= 0) break;
        const ids = await this.#claim(room);
        for (let i = 0; i < ids.length; i += this.#opts.batchSize)
          void this.#drive(ids.slice(i, i + this.#opts.batchSize));
        if (ids.length === room) this.#again = true;
      } while (this.#again && !this.#stopped);
    } catch (err) {
      this.#env.log.error({ err }, "workflow runner: claiming runs failed");
    } finally {
      this.#running = false;
    }
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
      if (!this.#stopped) this.#wake();
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
