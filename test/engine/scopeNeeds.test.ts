import { describe, expect, test } from "vitest";
import { scopeNeeds } from "../../src/engine/buildScope.ts";

describe("scopeNeeds: which rows a step's templates and conditions can reach", () => {
  test("a step that never names them reads neither", () => {
    expect(scopeNeeds({ id: "s", type: "send_message", text: "Order {{ trigger.order_id }}" })).toEqual({
      contact: false,
      conversation: false,
    });
  });

  test("Liquid and condition paths that name them, and time-of-day (the contact's time zone)", () => {
    expect(scopeNeeds({ id: "s", type: "send_message", text: "Hi {{ contact.first_name }}" }).contact).toBe(
      true,
    );
    const branch = {
      id: "b",
      type: "branch",
      branches: [{ when: { var: "time.hour", op: "lt", value: 12 }, next: "x" }],
    };
    expect(scopeNeeds(branch)).toEqual({ contact: true, conversation: false });
    const onWindow = {
      id: "c",
      type: "branch",
      branches: [{ when: { var: "conversation.window_open", op: "eq", value: true }, next: "x" }],
    };
    expect(scopeNeeds(onWindow).conversation).toBe(true);
  });
});
