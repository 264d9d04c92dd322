import { parseDuration } from "../core/workflow/parseDuration.ts";
import { inTransaction } from "../store/inTransaction.ts";
import { workflowStore } from "../store/workflows/workflowStore.ts";
import { autoCloseIdle } from "./autoCloseIdle.ts";
import type { EngineEnv } from "./EngineEnv.ts";
import { nextScheduleAt } from "./saveWorkflow.ts";
import { startBatch } from "./startBatch.ts";
import { startRunIn } from "./startRunIn.ts";

/** A date that has passed by more than this no longer fires (e.g. a workflow enabled long after the date). */
const DATE_GRACE_MS = 24 * 60 * 60 * 1000;

function timeOf(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string" || !v.trim()) return null;
  const t = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/**
 * Time-based triggers. `schedule`: when a workflow's next cron time is due, one process claims it (moving the
 * next time forward with a compare-and-set) and starts a batch over its audience. `date_field`: contacts whose
 * date field plus the offset has come start a run, once per contact and date value (a dedupe key).
 */
export class Scheduler {
  readonly #env: EngineEnv;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #lastAutoClose = 0;
  #lastDateScan = 0;
  readonly #autoCloseEveryMs: number;
  readonly #dateFieldEveryMs: number;

  constructor(env: EngineEnv, tickMs = 1000, autoCloseEveryMs = 60_000, dateFieldEveryMs = 15_000) {
    this.#env = env;
    this.#tickMs = tickMs;
    this.#autoCloseEveryMs = autoCloseEveryMs;
    this.#dateFieldEveryMs = dateFieldEveryMs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((r) => setTimeout(r, 5));
  }

  /** One pass over the time-based triggers; `force` also scans date fields now (tests, admin tools). */
  async tick(force = false): Promise<void> {
    if (force) while (this.#busy) await new Promise((r) => setTimeout(r, 5));
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#schedules();
      // Date fields need a scan of the contacts that have the field, so they are checked less often than cron.
      if (force || this.#env.store.now() - this.#lastDateScan >= this.#dateFieldEveryMs) {
        this.#lastDateScan = this.#env.store.now();
        await this.#dateFields();
      }
      if (this.#env.store.now() - this.#lastAutoClose >= this.#autoCloseEveryMs) {
        this.#lastAutoClose = this.#env.store.now();
        await autoCloseIdle(this.#env);
      }
    } catch (err) {
      this.#env.log.error({ err }, "scheduler tick failed");
    } finally {
      this.#busy = false;
    }
  }

  async #schedules(): Promise<void> {
    const ctx = this.#env.store;
    const now = ctx.now();
    for (const wf of await workflowStore.enabledByTrigger(ctx.db, ["schedule"])) {
      if (wf.scheduleNextAt === null || wf.scheduleNextAt > now) continue;
      const next = nextScheduleAt(wf.definition, now);
      if (next === null)
        this.#env.log.warn(
          { workflowId: wf.id },
          "schedule fires for the last time: its cron never fires again or is not 5 fields; save the workflow with a valid one",
        );
      const claimed = await inTransaction(ctx, (tx) =>
        tx
          .updateTable("workflows")
          .set({ schedule_next_at: next })
          .where("id", "=", wf.id)
          .where("schedule_next_at", "=", wf.scheduleNextAt)
          .executeTakeFirst(),
      );
      if (Number(claimed.numUpdatedRows) === 0) continue;
      const batch = await startBatch(ctx, wf, {});
      this.#env.log.info({ workflowId: wf.id, batchId: batch.batchId, total: batch.total }, "schedule fired");
    }
  }

  async #dateFields(): Promise<void> {
    const ctx = this.#env.store;
    const now = ctx.now();
    for (const wf of await workflowStore.enabledByTrigger(ctx.db, ["date_field"])) {
      const t = wf.definition.trigger;
      if (t.type !== "date_field") continue;
      const offset = parseDuration(t.offset) ?? 0;
      const rows = await ctx.db
        .selectFrom("contacts")
        .select(["id", "fields"])
        .where("workspace_id", "=", wf.workspaceId)
        // A coarse pre-filter (LIKE wildcards in a field name only widen it); the exact check follows.
        .where("fields", "like", `%"${t.field.replace(/["\\]/g, "")}"%`)
        .execute();
      const due: { id: string; value: string; at: number }[] = [];
      for (const r of rows) {
        const raw = (JSON.parse(r.fields) as Record<string, unknown>)[t.field];
        const at = timeOf(raw);
        if (at === null) continue;
        const fireAt = at + offset;
        if (fireAt <= now && now - fireAt < DATE_GRACE_MS) due.push({ id: r.id, value: String(raw), at });
      }
      if (due.length === 0) continue;
      await inTransaction(ctx, async (tx) => {
        for (const d of due)
          await startRunIn(ctx, tx, {
            workflow: wf,
            contactId: d.id,
            trigger: { field: t.field, value: d.value, date: new Date(d.at).toISOString() },
            dedupeKey: `date:${d.id}:${d.value}`,
          });
      });
    }
  }
}
