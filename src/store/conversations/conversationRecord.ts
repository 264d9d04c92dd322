import type { Actor, Assignee, ConversationState } from "../../core/conversation/conversationSchema.ts";
import type { ConversationRow, ConversationUpdate } from "../databaseSchema.ts";

/** A conversation as the rest of Parley sees it (rows joined with contact and category names). */
export interface Conversation {
  id: string;
  workspaceId: string;
  contactId: string;
  channelId: string;
  status: "open" | "closed";
  assignee: Assignee;
  openedBy: Actor;
  openedAt: number;
  cycle: number;
  closedAt: number | null;
  closedBy: Actor | null;
  category: { key: string; name: string } | null;
  summary: string | null;
  lastInboundAt: number | null;
  windowExpiresAt: number | null;
  lastMessageAt: number | null;
  lastActivityAt: number;
  version: number;
  createdAt: number;
  updatedAt: number;
  contact?: { id: string; phone: string; name: string | null };
}

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export function toAssignee(row: Pick<ConversationRow, "assignee_type" | "assignee_agent_id">): Assignee {
  if (row.assignee_type === "agent" && row.assignee_agent_id)
    return { type: "agent", agent_id: row.assignee_agent_id };
  return row.assignee_type === "bot" ? { type: "bot" } : { type: "none" };
}

/** The customer-service window: 24 h after the contact's last inbound message, unless Meta said it closed. */
export function windowExpiresAt(
  row: Pick<ConversationRow, "last_inbound_at" | "window_closed_at">,
): number | null {
  if (row.last_inbound_at === null) return null;
  if (row.window_closed_at !== null && row.window_closed_at >= row.last_inbound_at)
    return row.window_closed_at;
  return row.last_inbound_at + WINDOW_MS;
}

export function toState(row: ConversationRow): ConversationState {
  return {
    id: row.id,
    status: row.status,
    assignee: toAssignee(row),
    openedBy: { type: row.opened_by_type, id: row.opened_by_id },
    openedAt: row.opened_at,
    cycle: row.cycle,
    closedAt: row.closed_at,
    closedBy: row.closed_by_type ? { type: row.closed_by_type as Actor["type"], id: row.closed_by_id } : null,
    categoryKey: row.close_category_key,
    summary: row.close_summary,
    version: row.version,
  };
}

/** Columns that follow from a state machine state. */
export function stateColumns(s: ConversationState): ConversationUpdate {
  return {
    status: s.status,
    assignee_type: s.assignee.type,
    assignee_agent_id: s.assignee.type === "agent" ? s.assignee.agent_id : null,
    opened_by_type: s.openedBy.type === "system" ? "api" : s.openedBy.type,
    opened_by_id: s.openedBy.id,
    opened_at: s.openedAt,
    cycle: s.cycle,
    closed_at: s.closedAt,
    closed_by_type: s.closedBy?.type ?? null,
    closed_by_id: s.closedBy?.id ?? null,
    close_category_key: s.categoryKey,
    close_summary: s.summary,
    version: s.version,
  };
}

export type JoinedConversationRow = ConversationRow & {
  contact_phone: string | null;
  contact_name: string | null;
  category_name: string | null;
};

export function toConversation(row: JoinedConversationRow): Conversation {
  const state = toState(row);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    contactId: row.contact_id,
    channelId: row.channel_id,
    status: state.status,
    assignee: state.assignee,
    openedBy: state.openedBy,
    openedAt: state.openedAt,
    cycle: state.cycle,
    closedAt: state.closedAt,
    closedBy: state.closedBy,
    category: row.close_category_key
      ? { key: row.close_category_key, name: row.category_name ?? row.close_category_key }
      : null,
    summary: row.close_summary,
    lastInboundAt: row.last_inbound_at,
    windowExpiresAt: windowExpiresAt(row),
    lastMessageAt: row.last_message_at,
    lastActivityAt: row.last_activity_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    contact: row.contact_phone
      ? { id: row.contact_id, phone: row.contact_phone, name: row.contact_name }
      : undefined,
  };
}
