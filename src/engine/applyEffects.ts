import { outboundMessageSchema } from "../channels/whatsapp/graph/outboundMessageSchema.ts";
import {
  queueWhatsAppMessageIn,
  readSendable,
  type SendableConversation,
} from "../channels/whatsapp/queueWhatsAppMessage.ts";
import type { Actor } from "../core/conversation/conversationSchema.ts";
import { AppError } from "../core/errors.ts";
import type { WorkflowDefinition } from "../core/workflow/workflowDefinitionSchema.ts";
import { WORKFLOW_LIMITS } from "../core/workflow/workflowLimits.ts";
import { addCommentIn } from "../store/conversations/addComment.ts";
import { assignIn } from "../store/conversations/assignConversation.ts";
import { closeIn } from "../store/conversations/closeConversation.ts";
import { windowExpiresAt } from "../store/conversations/conversationRecord.ts";
import type { ContactRow } from "../store/databaseSchema.ts";
import { touchConversation } from "../store/messageStore.ts";
import type { StoreContext, Tx } from "../store/storeContext.ts";
import { workflowStore } from "../store/workflows/workflowStore.ts";
import type { RunRow } from "../store/workflowTables.ts";
import { quietHoursEndFor } from "./checkGuardrails.ts";
import { openEffect } from "./openEffect.ts";
import { startRunIn } from "./startRunIn.ts";
import type { Effect } from "./stepTypes.ts";
import { updateContactIn } from "./updateContactIn.ts";

export interface EffectTarget {
  run: RunRow;
  definition: WorkflowDefinition;
  /** Makes message idempotency keys unique per executed step. */
  seq: number;
  /** The run's place in a chain of runs started by trigger_workflow (RunContext.depth; 0 when none started it). */
  depth: number;
  /** The run's contact as this step read it (locked on PostgreSQL for an open), if it did. */
  contact?: ContactRow;
  /** What the round carries from step to step; the round's own object, changed here in place. */
  round: RoundState;
}

/** What one round (runRound) carries from step to step about its conversation. */
export interface RoundState {
  /**
   * The run's conversation as this transaction last wrote it (an open, a queued message), so a later send or
   * close of the same round needn't read it again; kept current here, and dropped by anything that changes it
   * otherwise.
   */
  conversation?: SendableConversation;
  /**
   * A queued message's time this round has yet to write on its conversation (`deferTouch`): a close writes it
   * with its own update; anything else writes it first (and runRound at the round's end).
   */
  pendingTouch?: { conversationId: string; at: number };
}

/** Writes the round's pending last-message time now (see RoundState.pendingTouch). */
export async function settleTouch(tx: Tx, round: RoundState): Promise<void> {
  const t = round.pendingTouch;
  if (!t) return;
  round.pendingTouch = undefined;
  await touchConversation(tx, t.conversationId, t.at);
}

export type ApplyOutcome =
  | { kind: "ok"; log: Record<string, unknown> }
  | { kind: "skip"; reason: string }
  | { kind: "defer"; reason: string; until: number };

/** Applies a step's effects in the run's transaction; updates `target.run.conversation_id` when one opens. */
export async function applyEffects(
  ctx: StoreContext,
  tx: Tx,
  target: EffectTarget,
  effects: Effect[],
): Promise<ApplyOutcome> {
  const log: Record<string, unknown> = {};
  const run = target.run;
  const round = target.round;
  const ws = run.workspace_id;
  const by: Actor = { type: "workflow", id: run.workflow_id };
  const conversation = () => {
    if (!run.conversation_id)
      throw AppError.validation(
        "conversation",
        "the run has no conversation yet; open one first (open_conversation)",
      );
    return run.conversation_id;
  };
  for (const [i, e] of effects.entries()) {
    const key = `wf:${run.id}:${target.seq}:${i}`;
    // A send may leave its time pending, a close writes it; anything else must find it written.
    if (e.kind !== "send" && e.kind !== "close") await settleTouch(tx, round);
    switch (e.kind) {
      case "open": {
        round.conversation = undefined;
        const out = await openEffect(ctx, tx, {
          run,
          definition: target.definition,
          effect: e,
          key,
          contact: target.contact,
          onConversation: (c) => {
            round.conversation = c;
          },
        });
        if (out.kind !== "ok") return out;
        Object.assign(log, out.log);
        break;
      }
      case "send": {
        const convId = conversation();
        const known = round.conversation?.id === convId ? round.conversation : undefined;
        round.conversation = undefined;
        // One read serves the window check, the opt-out skip and the WhatsApp rules when queueing.
        const conv = known ?? (await readSendable(tx, ws, convId));
        if (!conv) throw AppError.notFound("Conversation", convId);
        const windowOpen = (windowExpiresAt(conv) ?? 0) > ctx.now();
        let message = e.message;
        if (!windowOpen && !message.template) {
          if (e.template) message = { template: e.template };
          else if (e.optional) {
            log.message =
              "not sent: the 24-hour window is closed; waiting for a reply to the previous message";
            break;
          }
        }
        const parsed = outboundMessageSchema.safeParse(message);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw AppError.validation(issue?.path.join(".") || "message", issue?.message ?? "invalid message");
        }
        // A send to someone who said stop is skipped (and recorded), not failed, inside the window too: the
        // window may be the STOP message's own. Agents can still answer by hand.
        const skip = await optOutSkip(tx, conv, parsed.data.template);
        if (skip) return { kind: "skip", reason: skip };
        // A template outside the window reaches out unasked, like an open, so it too waits out quiet hours (the
        // step runs again then, window and all). The frequency cap and daily limit count opens, not sends.
        if (!windowOpen && parsed.data.template) {
          const until = await quietHoursEndFor(ctx, tx, ws, conv.contact_id, target.contact);
          if (until !== null) return { kind: "defer", reason: "quiet_hours", until };
        }
        const m = await queueWhatsAppMessageIn(ctx, tx, ws, convId, {
          message: parsed.data,
          author: { type: "workflow", id: run.workflow_id },
          by,
          idempotencyKey: key,
          conversation: conv,
          deferTouch: true,
          onConversation: (c) => {
            round.conversation = c;
            round.pendingTouch = { conversationId: c.id, at: c.last_message_at ?? ctx.now() };
          },
        });
        log.message_id = m.id;
        break;
      }
      case "assign":
        round.conversation = undefined;
        await assignIn(ctx, tx, ws, conversation(), e.to, by);
        break;
      case "close": {
        const input = { category: e.category ?? null, summary: e.summary ?? null, by };
        const id = conversation();
        const known = round.conversation?.id === id ? round.conversation : undefined;
        round.conversation = undefined;
        // The close's own update carries the pending time only when it updates from the row that holds it.
        if (!known || known.status === "closed" || round.pendingTouch?.conversationId !== id)
          await settleTouch(tx, round);
        else round.pendingTouch = undefined;
        if (!(await closeIn(ctx, tx, ws, id, input, { skipIfClosed: true, known })))
          log.close = "already closed";
        break;
      }
      case "update_contact": {
        if (!run.contact_id) throw AppError.validation("contact", "the run has no contact");
        // Its opt-out flags may change.
        round.conversation = undefined;
        log.changes = await updateContactIn(ctx, tx, ws, run.contact_id, e, by);
        break;
      }
      case "comment":
        // The agents' own path, so the note is on the timeline and the live stream like theirs, signed with
        // the workflow's name (its run's version's), which stays readable if the workflow is renamed or deleted.
        await addCommentIn(ctx, tx, ws, conversation(), {
          text: e.text,
          by: { ...by, name: target.definition.name },
        });
        break;
      case "start_workflow": {
        const wf = await workflowStore.find(ctx, ws, e.workflow, tx);
        if (!wf) throw AppError.validation("workflow", `unknown workflow "${e.workflow}"`);
        if (!wf.enabled) {
          log.started = `not started: workflow "${wf.name}" is disabled`;
          break;
        }
        // Every run of a cycle of workflows starting each other is new, so only the chain's length can end it.
        if (target.depth >= WORKFLOW_LIMITS.chainDepth)
          throw AppError.validation(
            "trigger_workflow",
            `chain of workflows started by workflows is deeper than ${WORKFLOW_LIMITS.chainDepth}`,
          );
        const started = await startRunIn(ctx, tx, {
          workflow: wf,
          contactId: run.contact_id,
          conversationId: run.conversation_id,
          trigger: { ...e.data, parent_run_id: run.id },
          parentRunId: run.id,
          depth: target.depth + 1,
        });
        log.started_run_id = started.runId;
        break;
      }
      default: {
        const never: never = e;
        return never;
      }
    }
  }
  return { kind: "ok", log };
}

async function optOutSkip(
  tx: Tx,
  c: SendableConversation,
  template: { name: string; language: string } | undefined,
): Promise<"opted_out" | "marketing_opt_out" | null> {
  if (c.opted_out === 1) return "opted_out";
  if (!template || c.marketing_opt_out !== 1) return null;
  const t = await tx
    .selectFrom("templates")
    .select("category")
    .where("channel_id", "=", c.channel_id)
    .where("name", "=", template.name)
    .where("language", "=", template.language)
    .executeTakeFirst();
  return t?.category === "MARKETING" ? "marketing_opt_out" : null;
}
