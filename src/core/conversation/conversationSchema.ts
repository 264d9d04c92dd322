import { z } from "zod";

export const assigneeSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("bot") }),
  z.strictObject({ type: z.literal("agent"), agent_id: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal("none") }),
]);
export type Assignee = z.infer<typeof assigneeSchema>;

export const actorTypeSchema = z.enum(["workflow", "agent", "api", "inbound", "system"]);
export type ActorType = z.infer<typeof actorTypeSchema>;

/** Who did something: a workflow run, an agent, an API key, the contact (inbound) or Parley itself (auto-close). */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** The lifecycle-relevant part of a conversation, as the state machine sees it. */
export interface ConversationState {
  id: string;
  status: "open" | "closed";
  assignee: Assignee;
  openedBy: Actor;
  openedAt: number;
  cycle: number;
  closedAt: number | null;
  closedBy: Actor | null;
  categoryKey: string | null;
  summary: string | null;
  version: number;
}

export const closingPolicySchema = z.strictObject({
  category: z.enum(["required", "optional"]),
  summary: z.enum(["required", "optional"]),
});
export type ClosingPolicy = z.infer<typeof closingPolicySchema>;

export const SUMMARY_MAX = 2000;
