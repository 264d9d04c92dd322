import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/**
 * Indexes shaped like the two hottest queries, so neither sorts: a contact's latest conversation on a number
 * (every inbound message, every open) and the delivery worker's due queue, read in (next_attempt_at, id) order
 * (a queue of thousands of messages queued in the same millisecond was sorted on every claim).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.dropIndex("conversations_contact").execute();
  await db.schema
    .createIndex("conversations_contact_latest")
    .on("conversations")
    .columns(["contact_id", "channel_id", "last_activity_at", "id"])
    .execute();
  await db.schema.dropIndex("messages_queued").execute();
  await sql`create index messages_queued_due on messages (next_attempt_at, id) where status = 'queued'`.execute(
    db,
  );
}
