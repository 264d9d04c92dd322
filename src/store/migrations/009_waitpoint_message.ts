import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/**
 * A question's waitpoint remembers the message it asks with (its own, or the run's previous one when it sends
 * none), so a reply that quotes a message (a button tap, a swipe-reply) answers only the question of the run that
 * sent it. NULL for waitpoints made before this, and for questions whose run sent nothing yet.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("workflow_waitpoints").addColumn("message_id", "text").execute();
  await sql`create index workflow_waitpoints_message on workflow_waitpoints (message_id) where message_id is not null`.execute(
    db,
  );
}
