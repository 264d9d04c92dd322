import type { Kysely } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/**
 * A contact's latest conversation on a number is read by every inbound message and every open; with the
 * activity time in the index it is one index probe instead of a lookup plus a sort.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.dropIndex("conversations_contact").execute();
  await db.schema
    .createIndex("conversations_contact_latest")
    .on("conversations")
    .columns(["contact_id", "channel_id", "last_activity_at", "id"])
    .execute();
}
