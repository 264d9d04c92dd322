import type { Generated, Insertable, Selectable, Updateable } from "kysely";
import type * as W from "./workflowTables.ts";

/**
 * Table shapes shared by SQLite and PostgreSQL. Times are epoch milliseconds, JSON is stored as text and
 * booleans as 0/1 so that one set of queries runs unchanged on both engines.
 */
export interface DatabaseSchema {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  contact_tags: ContactTagsTable;
  categories: CategoriesTable;
  conversations: ConversationsTable;
  conversation_closings: ConversationClosingsTable;
  messages: MessagesTable;
  events: EventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  templates: TemplatesTable;
  rate_buckets: RateBucketsTable;
  workflows: W.WorkflowsTable;
  workflow_versions: W.WorkflowVersionsTable;
  workflow_runs: W.WorkflowRunsTable;
  workflow_run_steps: W.WorkflowRunStepsTable;
  workflow_waitpoints: W.WorkflowWaitpointsTable;
  workflow_batches: W.WorkflowBatchesTable;
  workflow_dedupe: W.WorkflowDedupeTable;
  workflow_cursors: W.WorkflowCursorsTable;
  business_opens: W.BusinessOpensTable;
  conversation_comments: W.ConversationCommentsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  config_generation: ConfigGenerationTable;
}

/** One row: a counter the database bumps on every change to workspaces, channels, templates or categories. */
export interface ConfigGenerationTable {
  id: number;
  n: number;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  brand_name: string;
  close_category_policy: "required" | "optional";
  close_summary_policy: "required" | "optional";
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  key_hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ChannelsTable {
  id: string;
  workspace_id: string;
  name: string;
  kind: "cloud" | "sandbox";
  phone_number_id: string;
  display_phone_number: string;
  waba_id: string;
  access_token_enc: string;
  app_secret_enc: string;
  verify_token_enc: string;
  graph_base_url: string;
  graph_version: string;
  mps: number;
  /** NULL follows the workspace setting; 0 = unlimited. */
  messaging_limit: number | null;
  healthy: number;
  unhealthy_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  id: string;
  workspace_id: string;
  phone: string;
  wa_id: string | null;
  name: string | null;
  fields: string;
  tags: string;
  opted_out: number;
  marketing_opt_out: number;
  timezone: string | null;
  last_inbound_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ContactTagsTable {
  workspace_id: string;
  contact_id: string;
  tag: string;
}

export interface CategoriesTable {
  workspace_id: string;
  key: string;
  name: string;
  description: string | null;
  position: number;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationsTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  channel_id: string;
  status: "open" | "closed";
  assignee_type: "bot" | "agent" | "none";
  assignee_agent_id: string | null;
  opened_by_type: "workflow" | "agent" | "api" | "inbound";
  opened_by_id: string | null;
  opened_at: number;
  cycle: number;
  closed_at: number | null;
  closed_by_type: string | null;
  closed_by_id: string | null;
  close_category_key: string | null;
  close_summary: string | null;
  last_inbound_at: number | null;
  window_closed_at: number | null;
  last_message_at: number | null;
  last_activity_at: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface ConversationClosingsTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  contact_id: string;
  channel_id: string;
  cycle: number;
  category_key: string | null;
  summary: string | null;
  closed_by_type: string;
  closed_by_id: string | null;
  opened_at: number;
  closed_at: number;
  duration_ms: number;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  contact_id: string;
  channel_id: string;
  direction: "inbound" | "outbound";
  type: string;
  content: string;
  author_type: "bot" | "agent" | "api" | "workflow" | "contact" | "system";
  author_id: string | null;
  wa_message_id: string | null;
  status: "queued" | "sending" | "sent" | "delivered" | "read" | "failed" | "received";
  error_code: string | null;
  error_detail: string | null;
  attempts: number;
  next_attempt_at: number | null;
  idempotency_key: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  lease_until: number | null;
  send_started_at: number | null;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  channel_id: string | null;
  body_hash: string;
  body: string;
  received_at: number;
  processed_at: number | null;
  attempts: number;
  error: string | null;
}

export interface TemplatesTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  meta_id: string | null;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: string;
  parameter_format: "positional" | "named";
  body_param_count: number;
  param_names: string;
  components: string;
  source: "sync" | "manual" | "webhook";
  created_at: number;
  updated_at: number;
}

export interface RateBucketsTable {
  key: string;
  tokens: number;
  updated_at: number;
}

export interface UsersTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: "owner" | "admin" | "agent";
  password_hash: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  key: string;
  at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  workspace_id: string;
  csrf_token: string;
  user_agent: string | null;
  ip: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface EventsTable {
  id: Generated<number>;
  workspace_id: string;
  type: string;
  contact_id: string | null;
  conversation_id: string | null;
  payload: string;
  created_at: number;
  /** PostgreSQL: the writing transaction's id, for reading in commit-safe order (migration 007); SQLite: 0. */
  tx_id: Generated<number>;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type ContactRow = Selectable<ContactsTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type ConversationUpdate = Updateable<ConversationsTable>;
export type ClosingRow = Selectable<ConversationClosingsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type EventRow = Selectable<EventsTable>;
export type TemplateRow = Selectable<TemplatesTable>;
export type UserRow = Selectable<UsersTable>;
