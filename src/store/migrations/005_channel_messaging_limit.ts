import type { Kysely } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/**
 * Meta sets the daily limit of unique business-initiated contacts per phone number, so it belongs to the channel.
 * NULL follows the workspace's `messaging_limit` setting; 0 means unlimited.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("channels").addColumn("messaging_limit", "integer").execute();
}
