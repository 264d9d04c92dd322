import { AppError } from "../errors.ts";
import type { Actor, Assignee, ConversationState } from "./conversationSchema.ts";
import type { DomainEvent } from "./domainEvent.ts";

export type ConversationCommand =
  | { kind: "open"; id: string; by: Actor; assignee: Assignee | undefined; now: number }
  | { kind: "close"; by: Actor; categoryKey: string | null; summary: string | null; now: number }
  | { kind: "assign"; by: Actor; assignee: Assignee; now: number };

export type TransitionOutcome = "created" | "reopened" | "unchanged" | "closed" | "assigned";

export interface Transition {
  state: ConversationState;
  outcome: TransitionOutcome;
  events: DomainEvent[];
}

const sameAssignee = (a: Assignee, b: Assignee): boolean =>
  a.type === b.type && (a.type !== "agent" || (b.type === "agent" && a.agent_id === b.agent_id));

/**
 * The conversation state machine: `(none) → open → closed → open (reopened) → …`.
 * Pure: it returns the next state and the events to record; the store writes both in one transaction.
 * Closing-notes policy and category validity are checked by the caller, which knows the workspace.
 */
export function transitionConversation(
  current: ConversationState | null,
  command: ConversationCommand,
): Transition {
  switch (command.kind) {
    case "open":
      return open(current, command);
    case "close":
      return close(current, command);
    case "assign":
      return assign(current, command);
  }
}

function open(
  current: ConversationState | null,
  cmd: Extract<ConversationCommand, { kind: "open" }>,
): Transition {
  if (current === null) {
    const assignee = cmd.assignee ?? { type: "none" };
    const state: ConversationState = {
      id: cmd.id,
      status: "open",
      assignee,
      openedBy: cmd.by,
      openedAt: cmd.now,
      cycle: 1,
      closedAt: null,
      closedBy: null,
      categoryKey: null,
      summary: null,
      version: 1,
    };
    return {
      state,
      outcome: "created",
      events: [{ type: "conversation.opened", conversationId: state.id, by: cmd.by, assignee, cycle: 1 }],
    };
  }
  if (current.status === "open") {
    // Opening an open conversation is a no-op so that workflows and retries can call it freely.
    return { state: current, outcome: "unchanged", events: [] };
  }
  const assignee = cmd.assignee ?? current.assignee;
  const state: ConversationState = {
    ...current,
    status: "open",
    assignee,
    openedBy: cmd.by,
    openedAt: cmd.now,
    cycle: current.cycle + 1,
    // The last cycle's close lives on in its closing record; the open conversation must not look closed.
    closedAt: null,
    closedBy: null,
    categoryKey: null,
    summary: null,
    version: current.version + 1,
  };
  const events: DomainEvent[] = [
    { type: "conversation.reopened", conversationId: state.id, by: cmd.by, assignee, cycle: state.cycle },
  ];
  if (!sameAssignee(assignee, current.assignee)) {
    events.push({
      type: "conversation.assigned",
      conversationId: state.id,
      by: cmd.by,
      assignee,
      previous: current.assignee,
    });
  }
  return { state, outcome: "reopened", events };
}

function close(
  current: ConversationState | null,
  cmd: Extract<ConversationCommand, { kind: "close" }>,
): Transition {
  if (current === null) throw new AppError("not_found", "There is no conversation to close");
  if (current.status === "closed") {
    throw new AppError("conflict", `Conversation ${current.id} is already closed`);
  }
  const durationMs = Math.max(0, cmd.now - current.openedAt);
  const state: ConversationState = {
    ...current,
    status: "closed",
    closedAt: cmd.now,
    closedBy: cmd.by,
    categoryKey: cmd.categoryKey,
    summary: cmd.summary,
    version: current.version + 1,
  };
  return {
    state,
    outcome: "closed",
    events: [
      {
        type: "conversation.closed",
        conversationId: state.id,
        by: cmd.by,
        category: cmd.categoryKey,
        summary: cmd.summary,
        cycle: current.cycle,
        openedAt: current.openedAt,
        durationMs,
      },
    ],
  };
}

function assign(
  current: ConversationState | null,
  cmd: Extract<ConversationCommand, { kind: "assign" }>,
): Transition {
  if (current === null) throw new AppError("not_found", "There is no conversation to assign");
  if (sameAssignee(current.assignee, cmd.assignee))
    return { state: current, outcome: "unchanged", events: [] };
  const state: ConversationState = { ...current, assignee: cmd.assignee, version: current.version + 1 };
  return {
    state,
    outcome: "assigned",
    events: [
      {
        type: "conversation.assigned",
        conversationId: state.id,
        by: cmd.by,
        assignee: cmd.assignee,
        previous: current.assignee,
      },
    ],
  };
}
