import type { Generated, Selectable } from "kysely";

/** Workflow tables (migration 003). JSON is text, times are epoch ms, booleans 0/1, as everywhere. */
export interface WorkflowsTable {
  id: string;
  workspace_id: string;
  name: string;
  enabled: number;
  version: number;
  trigger_type: string;
  definition: string;
  hook_token: string;
  schedule_next_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  version: number;
  definition: string;
  created_at: number;
}

export type RunStatus = "running" | "waiting" | "completed" | "failed" | "cancelled" | "skipped";

export interface WorkflowRunsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  version: number;
  status: RunStatus;
  contact_id: string | null;
  conversation_id: string | null;
  current_step: string | null;
  step_count: number;
  context: string;
  skip_reason: string | null;
  error: string | null;
  /** When the run is due (runnable or its wait times out); null while it waits for a reply without timeout. */
  wake_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  waitpoint_id: string | null;
  batch_id: string | null;
  parent_run_id: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface WorkflowRunStepsTable {
  id: Generated<number>;
  run_id: string;
  seq: number;
  step_id: string;
  step_type: string;
  status: "completed" | "failed" | "waiting" | "deferred" | "skipped" | "cancelled";
  started_at: number;
  finished_at: number | null;
  detail: string;
}

export interface WorkflowWaitpointsTable {
  id: string;
  run_id: string;
  workspace_id: string;
  kind: "reply" | "time";
  conversation_id: string | null;
  /** reply: the message the question asks with (a quoted reply answers only this question); null when unknown. */
  message_id: string | null;
  status: "waiting" | "completed" | "timed_out" | "cancelled";
  timeout_at: number | null;
  output: string | null;
  created_at: number;
  completed_at: number | null;
}

export interface WorkflowBatchesTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  total: number;
  created_at: number;
}

export interface WorkflowDedupeTable {
  workflow_id: string;
  key: string;
  run_id: string;
  created_at: number;
}

export interface WorkflowCursorsTable {
  name: string;
  last_event_id: number;
  /** PostgreSQL: the tx_id of the last event read (events are read in (tx_id, id) order); SQLite: 0. */
  last_tx_id: Generated<number>;
}

export interface BusinessOpensTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  channel_id: string;
  run_id: string | null;
  at: number;
}

export interface ConversationCommentsTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  author_type: string;
  author_id: string | null;
  text: string;
  created_at: number;
}

export type WorkflowRow = Selectable<WorkflowsTable>;
export type RunRow = Selectable<WorkflowRunsTable>;
export type RunStepRow = Selectable<WorkflowRunStepsTable>;
