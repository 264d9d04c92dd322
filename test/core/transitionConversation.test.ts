import { describe, expect, test } from "vitest";
import type { Actor, ConversationState } from "../../src/core/conversation/conversationSchema.ts";
import { transitionConversation } from "../../src/core/conversation/transitionConversation.ts";
import { AppError } from "../../src/core/errors.ts";

const api: Actor = { type: "api", id: "key-1" };
const agent: Actor = { type: "agent", id: "a1" };

const created = (now = 1_000) =>
  transitionConversation(null, { kind: "open", id: "c1", by: api, assignee: { type: "bot" }, now }).state;

const closedState = (): ConversationState =>
  transitionConversation(created(), {
    kind: "close",
    by: agent,
    categoryKey: "sales",
    summary: "Done",
    now: 5_000,
  }).state;

describe("transitionConversation", () => {
  test("open on nothing creates cycle 1 with one conversation.opened event", () => {
    const t = transitionConversation(null, {
      kind: "open",
      id: "c1",
      by: api,
      assignee: { type: "agent", agent_id: "a1" },
      now: 1_000,
    });
    expect(t.outcome).toBe("created");
    expect(t.state).toEqual({
      id: "c1",
      status: "open",
      assignee: { type: "agent", agent_id: "a1" },
      openedBy: api,
      openedAt: 1_000,
      cycle: 1,
      closedAt: null,
      closedBy: null,
      categoryKey: null,
      summary: null,
      version: 1,
    });
    expect(t.events).toEqual([
      {
        type: "conversation.opened",
        conversationId: "c1",
        by: api,
        assignee: { type: "agent", agent_id: "a1" },
        cycle: 1,
      },
    ]);
  });

  test("open without an assignee leaves it unassigned", () => {
    const t = transitionConversation(null, { kind: "open", id: "c1", by: api, assignee: undefined, now: 1 });
    expect(t.state.assignee).toEqual({ type: "none" });
  });

  test("open on an open conversation is a no-op that keeps the state object", () => {
    const s = created();
    const t = transitionConversation(s, {
      kind: "open",
      id: "ignored",
      by: agent,
      assignee: { type: "none" },
      now: 9_000,
    });
    expect(t.outcome).toBe("unchanged");
    expect(t.state).toBe(s);
    expect(t.events).toEqual([]);
  });

  test("close records category, summary, closer and duration, bumps the version", () => {
    const t = transitionConversation(created(1_000), {
      kind: "close",
      by: agent,
      categoryKey: "support",
      summary: "Fixed",
      now: 4_500,
    });
    expect(t.outcome).toBe("closed");
    expect(t.state).toMatchObject({
      status: "closed",
      closedAt: 4_500,
      closedBy: agent,
      categoryKey: "support",
      summary: "Fixed",
      version: 2,
      cycle: 1,
    });
    expect(t.events).toEqual([
      {
        type: "conversation.closed",
        conversationId: "c1",
        by: agent,
        category: "support",
        summary: "Fixed",
        cycle: 1,
        openedAt: 1_000,
        durationMs: 3_500,
      },
    ]);
  });

  test("close never reports a negative duration when the clock goes backwards", () => {
    const t = transitionConversation(created(10_000), {
      kind: "close",
      by: api,
      categoryKey: null,
      summary: null,
      now: 9_000,
    });
    expect(t.events[0]).toMatchObject({ durationMs: 0 });
  });

  test("close of a closed conversation is a conflict; close of nothing is not found", () => {
    const cmd = { kind: "close" as const, by: api, categoryKey: null, summary: null, now: 6_000 };
    expect(() => transitionConversation(closedState(), cmd)).toThrowError(
      expect.objectContaining({ code: "conflict" }),
    );
    try {
      transitionConversation(null, cmd);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("not_found");
    }
  });

  test("reopen keeps the id, bumps the cycle, keeps the assignee unless one is given", () => {
    const closed = closedState();
    const t = transitionConversation(closed, {
      kind: "open",
      id: "new-id-not-used",
      by: agent,
      assignee: undefined,
      now: 7_000,
    });
    expect(t.outcome).toBe("reopened");
    expect(t.state).toMatchObject({
      id: "c1",
      status: "open",
      cycle: 2,
      openedAt: 7_000,
      openedBy: agent,
      assignee: { type: "bot" },
      version: closed.version + 1,
    });
    expect(t.events).toEqual([
      { type: "conversation.reopened", conversationId: "c1", by: agent, assignee: { type: "bot" }, cycle: 2 },
    ]);
  });

  test("reopen with a different assignee also emits conversation.assigned", () => {
    const t = transitionConversation(closedState(), {
      kind: "open",
      id: "x",
      by: api,
      assignee: { type: "agent", agent_id: "a2" },
      now: 7_000,
    });
    expect(t.events.map((e) => e.type)).toEqual(["conversation.reopened", "conversation.assigned"]);
    expect(t.events[1]).toMatchObject({
      assignee: { type: "agent", agent_id: "a2" },
      previous: { type: "bot" },
    });
  });

  test("the full cycle open → close → reopen → close counts cycles", () => {
    let s = created();
    for (let cycle = 1; cycle <= 3; cycle++) {
      expect(s.cycle).toBe(cycle);
      const closed = transitionConversation(s, {
        kind: "close",
        by: api,
        categoryKey: null,
        summary: null,
        now: cycle * 10_000,
      });
      expect(closed.events[0]).toMatchObject({ cycle });
      s = transitionConversation(closed.state, {
        kind: "open",
        id: "ignored",
        by: api,
        assignee: undefined,
        now: cycle * 10_000 + 1,
      }).state;
    }
    expect(s).toMatchObject({ id: "c1", cycle: 4, status: "open" });
  });

  test("assign changes the assignee with an event; the same assignee is a no-op", () => {
    const s = created();
    const same = transitionConversation(s, { kind: "assign", by: api, assignee: { type: "bot" }, now: 2 });
    expect(same).toEqual({ state: s, outcome: "unchanged", events: [] });

    const toA1 = transitionConversation(s, {
      kind: "assign",
      by: api,
      assignee: { type: "agent", agent_id: "a1" },
      now: 2,
    });
    expect(toA1.outcome).toBe("assigned");
    expect(toA1.state).toMatchObject({ assignee: { type: "agent", agent_id: "a1" }, version: 2 });
    expect(toA1.events).toEqual([
      {
        type: "conversation.assigned",
        conversationId: "c1",
        by: api,
        assignee: { type: "agent", agent_id: "a1" },
        previous: { type: "bot" },
      },
    ]);

    const sameAgent = transitionConversation(toA1.state, {
      kind: "assign",
      by: api,
      assignee: { type: "agent", agent_id: "a1" },
      now: 3,
    });
    expect(sameAgent.outcome).toBe("unchanged");
    const otherAgent = transitionConversation(toA1.state, {
      kind: "assign",
      by: api,
      assignee: { type: "agent", agent_id: "a2" },
      now: 3,
    });
    expect(otherAgent.outcome).toBe("assigned");
  });

  test("assign works on a closed conversation without reopening it; assign of nothing is not found", () => {
    const t = transitionConversation(closedState(), {
      kind: "assign",
      by: api,
      assignee: { type: "none" },
      now: 8_000,
    });
    expect(t.state.status).toBe("closed");
    expect(t.state.assignee).toEqual({ type: "none" });
    expect(() =>
      transitionConversation(null, { kind: "assign", by: api, assignee: { type: "none" }, now: 1 }),
    ).toThrowError(expect.objectContaining({ code: "not_found" }));
  });

  test("the state machine never mutates its input", () => {
    const s = created();
    const frozen = structuredClone(s);
    transitionConversation(s, { kind: "close", by: api, categoryKey: "x", summary: "y", now: 2 });
    transitionConversation(s, { kind: "assign", by: api, assignee: { type: "none" }, now: 2 });
    expect(s).toEqual(frozen);
  });
});

describe("transitionConversation on reopen", () => {
  test("clears the previous cycle's close so the open conversation does not look closed", () => {
    const closed = closedState();
    expect(closed).toMatchObject({ categoryKey: "sales", summary: "Done", closedAt: 5_000 });
    const t = transitionConversation(closed, {
      kind: "open",
      id: "x",
      by: api,
      assignee: undefined,
      now: 6_000,
    });
    expect(t.state).toMatchObject({ closedAt: null, closedBy: null, categoryKey: null, summary: null });
  });
});
