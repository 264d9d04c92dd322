import { matchOptKeyword } from "../core/contact/matchOptKeyword.ts";
import { Pump } from "../runtime/Pump.ts";
import type { EventRow } from "../store/databaseSchema.ts";
import { type EventCursor, eventOrder } from "../store/eventOrder.ts";
import { inTransaction } from "../store/inTransaction.ts";
import type { Tx } from "../store/storeContext.ts";
import { type Workflow, workflowStore } from "../store/workflows/workflowStore.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import { answerOf } from "./answerOf.ts";
import { answerWaitingQuestion, type InboundReply } from "./answerWaitingQuestion.ts";
import type { EngineEnv } from "./EngineEnv.ts";
import { matchTrigger, type TriggerEvent } from "./matchTrigger.ts";
import { startRunIn } from "./startRunIn.ts";

const EVENT_TRIGGERS = ["conversation_opened", "conversation_closed", "inbound_message", "contact_updated"];
const BATCH = 500;

/**
 * Turns domain events into workflow runs and answers. It tails the `events` table from a cursor kept in the
 * database and moves the cursor in the same transaction as the runs it starts, so each event starts its runs
 * exactly once, across restarts and (the cursor row is locked) across worker processes. An inbound message
 * first answers a question the conversation is waiting on (answerWaitingQuestion picks which); only otherwise may
 * it start inbound_message runs.
 */
export class TriggerDispatcher {
  readonly #env: EngineEnv;
  #seen: EventCursor = { tx: 0, id: 0 };
  readonly #pump: Pump;
  /** Stored keyword patterns already reported as invalid, by workflow version and field: once is enough. */
  readonly #badPatterns = new Set<string>();

  constructor(env: EngineEnv) {
    this.#env = env;
    this.#pump = new Pump({
      pass: () => this.#pass(),
      onError: (err) => env.log.error({ err }, "trigger dispatcher failed"),
      bus: env.store.bus,
      intervalMs: 500,
      // Every commit wakes it; one pass per 50 ms reads what they all wrote (a few round trips each on PostgreSQL).
      minGapMs: 50,
    });
  }

  get wake(): () => void {
    return this.#pump.wake;
  }

  start(): void {
    this.#pump.start();
  }

  stop(): Promise<void> {
    return this.#pump.stop();
  }

  async #pass(): Promise<boolean> {
    const fresh = await eventOrder
      .after(this.#env.store.dialect, this.#env.store.db.selectFrom("events").select("id"), this.#seen)
      .limit(1)
      .executeTakeFirst();
    if (!fresh) return false;
    const n = await this.dispatchOnce();
    return n === BATCH;
  }

  /** Processes the next batch of events; returns how many. */
  async dispatchOnce(): Promise<number> {
    const ctx = this.#env.store;
    return inTransaction(ctx, async (tx) => {
      // PostgreSQL: events of transactions that may still commit (any from the oldest one running on) wait.
      // Taken before this transaction locks anything, so it doesn't hold itself back.
      const horizon = ctx.dialect === "postgres" ? await eventOrder.horizon(tx) : null;
      let cq = tx
        .selectFrom("workflow_cursors")
        .select(["last_event_id", "last_tx_id"])
        .where("name", "=", "triggers");
      // Another process dispatching holds the cursor: it is reading these same events, and the commits that
      // arrive meanwhile wake it again, so this pass gives way instead of queueing behind its transaction.
      if (ctx.dialect === "postgres") cq = cq.forUpdate().skipLocked();
      const row = await cq.executeTakeFirst();
      if (!row) return 0;
      const cursor: EventCursor = { tx: Number(row.last_tx_id), id: Number(row.last_event_id) };
      if (await this.#skippedUnread(tx, cursor, horizon)) return 0;
      let q = eventOrder.after(ctx.dialect, tx.selectFrom("events").selectAll(), cursor).limit(BATCH);
      if (horizon !== null) q = q.where("tx_id", "<", horizon);
      const events = await q.execute();
      const last = events.at(-1);
      if (!last) {
        this.#seen = cursor;
        return 0;
      }
      // Read after the events: a workflow enabled before one of them committed is then among these.
      const workflows = await workflowStore.enabledByTrigger(tx, EVENT_TRIGGERS);
      const waiting = await this.#waitingConversations(tx, events);
      for (const e of events) await this.#handle(tx, e, workflows, waiting);
      await this.#moveCursor(tx, last);
      return events.length;
    });
  }

  async #moveCursor(tx: Tx, to: { id: number; tx_id: number }): Promise<void> {
    await tx
      .updateTable("workflow_cursors")
      .set({ last_event_id: to.id, last_tx_id: to.tx_id })
      .where("name", "=", "triggers")
      .execute();
    this.#seen = eventOrder.cursorOf(to);
  }

  /**
   * With no workflow listening to events and no question waiting for a reply, no event can start or answer
   * anything: the cursor moves past all of them unread, as reading each would have found nothing to do (a
   * webhook-heavy workload would otherwise read back every message it stores). The last event is fixed first, so
   * a workflow enabled or a question asked before any of them committed is seen by the checks that follow.
   */
  async #skippedUnread(tx: Tx, cursor: EventCursor, horizon: number | null): Promise<boolean> {
    let q = eventOrder.latest(
      this.#env.store.dialect,
      tx.selectFrom("events").select(["id", "tx_id"]),
      cursor,
    );
    if (horizon !== null) q = q.where("tx_id", "<", horizon);
    const last = await q.limit(1).executeTakeFirst();
    if (!last) return false;
    if ((await workflowStore.enabledByTrigger(tx, EVENT_TRIGGERS)).length > 0) return false;
    if (await this.#anyQuestionWaiting(tx)) return false;
    await this.#moveCursor(tx, last);
    return true;
  }

  async #anyQuestionWaiting(tx: Tx): Promise<boolean> {
    const row = await tx
      .selectFrom("workflow_waitpoints")
      .select("id")
      .where("status", "=", "waiting")
      .where("kind", "=", "reply")
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The batch's conversations with a question waiting for a reply, read once: asking per inbound message cost a
   * query per message. Waitpoints are created by the runner, not here, so none appear during the batch.
   */
  async #waitingConversations(tx: Tx, events: EventRow[]): Promise<Set<string>> {
    const ids = [
      ...new Set(
        events.flatMap((e) => (e.type === "message.created" && e.conversation_id ? [e.conversation_id] : [])),
      ),
    ];
    const waiting = new Set<string>();
    for (let i = 0; i < ids.length; i += 200) {
      const rows = await tx
        .selectFrom("workflow_waitpoints")
        .select("conversation_id")
        .where("conversation_id", "in", ids.slice(i, i + 200))
        .where("status", "=", "waiting")
        .where("kind", "=", "reply")
        .execute();
      for (const r of rows) if (r.conversation_id) waiting.add(r.conversation_id);
    }
    return waiting;
  }

  #badPattern(wf: Workflow, field: string, error: string): void {
    const key = `${wf.id}:${wf.version}:${field}`;
    if (this.#badPatterns.has(key)) return;
    if (this.#badPatterns.size >= 1000) this.#badPatterns.clear();
    this.#badPatterns.add(key);
    this.#env.log.warn(
      { workflowId: wf.id, version: wf.version, field, error },
      "stored keyword pattern is not a valid regular expression; it matches nothing",
    );
  }

  async #handle(tx: Tx, e: EventRow, all: Workflow[], waiting: Set<string>): Promise<void> {
    const inboundCandidate = e.type === "message.created" && e.conversation_id !== null;
    const candidates = all.filter((w) => w.workspaceId === e.workspace_id);
    // Most events concern no workflow at all: skip parsing them.
    if (candidates.length === 0 && !(inboundCandidate && waiting.has(e.conversation_id ?? ""))) return;
    const payload: Record<string, unknown> = JSON.parse(e.payload);
    const inbound = e.type === "message.created" && payload.direction === "inbound";
    const te: TriggerEvent = { type: e.type, payload };
    const trigger: Record<string, unknown> = { event: e.type, conversation_id: e.conversation_id };
    if (inbound && e.conversation_id) {
      const row = await tx
        .selectFrom("messages")
        .select(["id", "type", "channel_id", "content"])
        .where("id", "=", String(payload.messageId))
        .executeTakeFirst();
      const msg = row && { ...row, content: JSON.parse(row.content) as Record<string, unknown> };
      // STOP / START are commands to the platform (handled on ingest), not what the contact answers or asks:
      // they answer no question and start no inbound_message workflow.
      if (msg && (await this.#isOptKeyword(tx, e.workspace_id, msg))) return;
      if (
        msg &&
        waiting.has(e.conversation_id) &&
        (await answerWaitingQuestion(this.#env.store, tx, e.conversation_id, msg))
      )
        return;
      if (candidates.length === 0) return;
      if (msg) {
        const answer = answerOf(msg.id, msg.type, msg.content);
        te.text = answer.text;
        trigger.message = { id: msg.id, type: msg.type, text: answer.text, reply_id: answer.id };
        te.opensConversation = await this.#openedBy(tx, e);
      }
    }
    if (e.type === "contact.updated" && e.contact_id) {
      const c = await tx
        .selectFrom("contacts")
        .select("tags")
        .where("id", "=", e.contact_id)
        .executeTakeFirst();
      te.tags = c ? JSON.parse(c.tags) : [];
      trigger.changes = payload.changes;
    }
    if (e.type === "conversation.opened" || e.type === "conversation.reopened") {
      const ch = await tx
        .selectFrom("channels")
        .select(["id", "name"])
        .where("id", "=", String(payload.channelId ?? ""))
        .executeTakeFirst();
      te.channel = ch;
      trigger.channel_id = ch?.id ?? null;
      trigger.by = payload.by;
    }
    if (e.type === "conversation.closed") {
      trigger.category = payload.category
        ? { key: payload.category, name: payload.categoryName ?? null }
        : null;
      trigger.summary = payload.summary ?? null;
      trigger.closed_by = payload.by;
    }
    const by = payload.by as { type?: string; id?: string } | undefined;
    for (const wf of candidates) {
      // A workflow's own effects never re-trigger it (an update_contact step in a contact_updated workflow).
      if (by?.type === "workflow" && by.id === wf.id) continue;
      if (!matchTrigger(wf.definition.trigger, te, (field, error) => this.#badPattern(wf, field, error)))
        continue;
      const started = await startRunIn(this.#env.store, tx, {
        workflow: wf,
        contactId: e.contact_id,
        conversationId: e.conversation_id,
        trigger,
      });
      this.#env.log.debug({ runId: started.runId, workflowId: wf.id, eventId: e.id }, "event started a run");
    }
  }

  /** The ingest path's own test (a text that is exactly one of the workspace's opt-out / opt-in keywords). */
  async #isOptKeyword(tx: Tx, workspaceId: string, msg: InboundReply): Promise<boolean> {
    if (msg.type !== "text" || typeof msg.content.text !== "string") return false;
    const { settings } = await workspaceStore.getInTx(this.#env.store, workspaceId, tx);
    return matchOptKeyword(msg.content.text, settings) !== null;
  }

  /**
   * Whether this inbound message opened (or reopened) its conversation: the conversation's latest open before it,
   * in event order, was by the contact, and no other inbound message came in between.
   */
  async #openedBy(tx: Tx, e: EventRow): Promise<boolean> {
    const base = () => tx.selectFrom("events").select(["id", "payload"]);
    const scoped = (q: ReturnType<typeof base>) =>
      q
        .where("contact_id", "=", e.contact_id)
        .where("conversation_id", "=", e.conversation_id)
        .where("id", "<", e.id);
    const open = await scoped(base())
      .where("type", "in", ["conversation.opened", "conversation.reopened"])
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!open || (JSON.parse(open.payload) as { by?: { type?: string } }).by?.type !== "inbound")
      return false;
    const between = await scoped(base())
      .where("type", "=", "message.created")
      .where("id", ">", open.id)
      .execute();
    return !between.some((m) => (JSON.parse(m.payload) as { direction?: string }).direction === "inbound");
  }
}
