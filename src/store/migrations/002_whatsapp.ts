import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/** WhatsApp channel: raw webhook deliveries, the template registry, delivery leases and shared rate buckets. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  const real = dialect === "postgres" ? "double precision" : "real";

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("channel_id", "text")
    .addColumn("body_hash", "text", (c) => c.notNull().unique())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("received_at", bigint, (c) => c.notNull())
    .addColumn("processed_at", bigint)
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("error", "text")
    .execute();
  await sql`create index webhook_deliveries_pending on webhook_deliveries (id) where processed_at is null`.execute(
    db,
  );

  await db.schema
    .createTable("templates")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id"))
    .addColumn("meta_id", "text")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("parameter_format", "text", (c) => c.notNull())
    .addColumn("body_param_count", "integer", (c) => c.notNull())
    .addColumn("param_names", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("components", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("created_at", bigint, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .addUniqueConstraint("templates_channel_name_language", ["channel_id", "name", "language"])
    .execute();

  // A send is recorded before (sending + send_started_at) and after (sent/failed) the Graph call.
  await db.schema.alterTable("messages").addColumn("lease_until", bigint).execute();
  await db.schema.alterTable("messages").addColumn("send_started_at", bigint).execute();

  await db.schema
    .createTable("rate_buckets")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("tokens", real, (c) => c.notNull())
    .addColumn("updated_at", bigint, (c) => c.notNull())
    .execute();
}
