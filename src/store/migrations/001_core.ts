import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/** Core tables: workspaces, keys, channels, contacts, categories, conversations, closings, messages, events. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";

  await db.schema
    .createTable("workspaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("brand_name", "text", (c) => c.notNull())
    .addColumn("close_category_policy", "text", (c) => c.notNull())
    .addColumn("close_summary_policy", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("last_used_at", bigint)
    .addColumn("revoked_at", bigint)
    .execute();

  await db.schema
    .createTable("channels")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    // Webhooks are routed by phone_number_id alone, so it must be unique across workspaces.
    .addColumn("phone_number_id", "text", (c) => c.notNull().unique())
    .addColumn("display_phone_number", "text", (c) => c.notNull())
    .addColumn("waba_id", "text", (c) => c.notNull())
    .addColumn("access_token_enc", "text", (c) => c.notNull())
    .addColumn("app_secret_enc", "text", (c) => c.notNull())
    .addColumn("verify_token_enc", "text", (c) => c.notNull())
    .addColumn("graph_base_url", "text", (c) => c.notNull())
    .addColumn("graph_version", "text", (c) => c.notNull())
    .addColumn("mps", "integer", (c) => c.notNull().defaultTo(80))
    .addColumn("healthy", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("unhealthy_reason", "text")
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("channels_workspace")
    .on("channels")
    .columns(["workspace_id", "created_at"])
    .execute();

  await db.schema
    .createTable("contacts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("wa_id", "text")
    .addColumn("name", "text")
    .addColumn("fields", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("opted_out", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("marketing_opt_out", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("timezone", "text")
    .addColumn("last_inbound_at", bigint)
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .addUniqueConstraint("contacts_workspace_phone", ["workspace_id", "phone"])
    .execute();
  await db.schema
    .createIndex("contacts_workspace_id")
    .on("contacts")
    .columns(["workspace_id", "id"])
    .execute();

  await db.schema
    .createTable("contact_tags")
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("contact_id", "text", (c) => c.notNull().references("contacts.id"))
    .addColumn("tag", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("contact_tags_pk", ["contact_id", "tag"])
    .execute();
  await db.schema
    .createIndex("contact_tags_tag")
    .on("contact_tags")
    .columns(["workspace_id", "tag", "contact_id"])
    .execute();

  await db.schema
    .createTable("categories")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("archived_at", bigint)
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint("categories_pk", ["workspace_id", "key"])
    .execute();

  await db.schema
    .createTable("conversations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("contact_id", "text", (c) => c.notNull().references("contacts.id"))
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("assignee_type", "text", (c) => c.notNull())
    .addColumn("assignee_agent_id", "text")
    .addColumn("opened_by_type", "text", (c) => c.notNull())
    .addColumn("opened_by_id", "text")
    .addColumn("opened_at", bigint, (c) => c.notNull())
    .addColumn("cycle", "integer", (c) => c.notNull())
    .addColumn("closed_at", bigint)
    .addColumn("closed_by_type", "text")
    .addColumn("closed_by_id", "text")
    .addColumn("close_category_key", "text")
    .addColumn("close_summary", "text")
    .addColumn("last_inbound_at", bigint)
    .addColumn("window_closed_at", bigint)
    .addColumn("last_message_at", bigint)
    .addColumn("last_activity_at", bigint, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .execute();
  // The rule "at most one open conversation per contact and channel" lives in the database itself.
  await sql`create unique index conversations_one_open on conversations (contact_id, channel_id) where status = 'open'`.execute(
    db,
  );
  await db.schema
    .createIndex("conversations_list")
    .on("conversations")
    .columns(["workspace_id", "status", "last_activity_at", "id"])
    .execute();
  await db.schema
    .createIndex("conversations_activity")
    .on("conversations")
    .columns(["workspace_id", "last_activity_at", "id"])
    .execute();
  await db.schema
    .createIndex("conversations_contact")
    .on("conversations")
    .columns(["contact_id", "channel_id"])
    .execute();

  await db.schema
    .createTable("conversation_closings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
    .addColumn("contact_id", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("cycle", "integer", (c) => c.notNull())
    .addColumn("category_key", "text")
    .addColumn("summary", "text")
    .addColumn("closed_by_type", "text", (c) => c.notNull())
    .addColumn("closed_by_id", "text")
    .addColumn("opened_at", bigint, (c) => c.notNull())
    .addColumn("closed_at", bigint, (c) => c.notNull())
    .addColumn("duration_ms", bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("closings_workspace_time")
    .on("conversation_closings")
    .columns(["workspace_id", "closed_at"])
    .execute();
  await db.schema
    .createIndex("closings_conversation")
    .on("conversation_closings")
    .columns(["conversation_id", "cycle"])
    .execute();

  await db.schema
    .createTable("messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
    .addColumn("contact_id", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("author_type", "text", (c) => c.notNull())
    .addColumn("author_id", "text")
    .addColumn("wa_message_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error_code", "text")
    .addColumn("error_detail", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", bigint)
    .addColumn("idempotency_key", "text")
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .addColumn("sent_at", bigint)
    .addColumn("delivered_at", bigint)
    .addColumn("read_at", bigint)
    .addColumn("failed_at", bigint)
    .addUniqueConstraint("messages_channel_wamid", ["channel_id", "wa_message_id"])
    .addUniqueConstraint("messages_idempotency", ["workspace_id", "idempotency_key"])
    .execute();
  await db.schema
    .createIndex("messages_conversation")
    .on("messages")
    .columns(["conversation_id", "created_at", "id"])
    .execute();
  await sql`create index messages_queued on messages (next_attempt_at) where status = 'queued'`.execute(db);

  await db.schema
    .createTable("events")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("contact_id", "text")
    .addColumn("conversation_id", "text")
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_workspace").on("events").columns(["workspace_id", "id"]).execute();
  await db.schema.createIndex("events_contact").on("events").columns(["contact_id", "id"]).execute();
}
