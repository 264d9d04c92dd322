import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/** Workflows: versioned definitions, durable runs with a step log, waitpoints, batches, dedupe keys, guardrails. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";

  await db.schema
    .createTable("workflows")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("trigger_type", "text", (c) => c.notNull())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("hook_token", "text", (c) => c.notNull().unique())
    .addColumn("schedule_next_at", bigint)
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .addUniqueConstraint("workflows_workspace_name", ["workspace_id", "name"])
    .execute();
  await db.schema
    .createIndex("workflows_trigger")
    .on("workflows")
    .columns(["workspace_id", "trigger_type", "enabled"])
    .execute();

  await db.schema
    .createTable("workflow_versions")
    .addColumn("workflow_id", "text", (c) => c.notNull().references("workflows.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_versions_pk", ["workflow_id", "version"])
    .execute();

  await db.schema
    .createTable("workflow_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("workflow_id", "text", (c) => c.notNull().references("workflows.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("contact_id", "text")
    .addColumn("conversation_id", "text")
    .addColumn("current_step", "text")
    .addColumn("step_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("context", "text", (c) => c.notNull())
    .addColumn("skip_reason", "text")
    .addColumn("error", "text")
    .addColumn("wake_at", bigint)
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", bigint)
    .addColumn("waitpoint_id", "text")
    .addColumn("batch_id", "text")
    .addColumn("parent_run_id", "text")
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .addColumn("finished_at", bigint)
    .execute();
  // The runner's one hot query: due runs that are not finished.
  await sql`create index workflow_runs_due on workflow_runs (wake_at) where status in ('running', 'waiting')`.execute(
    db,
  );
  await db.schema
    .createIndex("workflow_runs_workflow")
    .on("workflow_runs")
    .columns(["workflow_id", "created_at", "id"])
    .execute();
  await db.schema
    .createIndex("workflow_runs_batch")
    .on("workflow_runs")
    .columns(["batch_id", "status"])
    .execute();

  await db.schema
    .createTable("workflow_run_steps")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("step_id", "text", (c) => c.notNull())
    .addColumn("step_type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("started_at", bigint, (c) => c.notNull())
    .addColumn("finished_at", bigint)
    .addColumn("detail", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("workflow_run_steps_run")
    .on("workflow_run_steps")
    .columns(["run_id", "id"])
    .execute();

  await db.schema
    .createTable("workflow_waitpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("conversation_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("timeout_at", bigint)
    .addColumn("output", "text")
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("completed_at", bigint)
    .execute();
  await sql`create index workflow_waitpoints_open on workflow_waitpoints (conversation_id) where status = 'waiting'`.execute(
    db,
  );

  await db.schema
    .createTable("workflow_batches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("workflow_dedupe")
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_dedupe_pk", ["workflow_id", "key"])
    .execute();

  await db.schema
    .createTable("workflow_cursors")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("last_event_id", bigint, (c) => c.notNull())
    .execute();
  // Triggers start from now: events written before workflows existed never start runs.
  await sql`insert into workflow_cursors (name, last_event_id) select 'triggers', coalesce(max(id), 0) from events`.execute(
    db,
  );

  await db.schema
    .createTable("business_opens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("contact_id", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("run_id", "text")
    .addColumn("at", bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("business_opens_contact")
    .on("business_opens")
    .columns(["contact_id", "at"])
    .execute();
  await db.schema
    .createIndex("business_opens_channel")
    .on("business_opens")
    .columns(["channel_id", "at"])
    .execute();

  await db.schema
    .createTable("conversation_comments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
    .addColumn("author_type", "text", (c) => c.notNull())
    .addColumn("author_id", "text")
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("conversation_comments_conversation")
    .on("conversation_comments")
    .columns(["conversation_id", "created_at"])
    .execute();
}
