import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/**
 * PostgreSQL hands out event ids when rows are inserted, but transactions commit in their own order: a reader
 * that has passed id 101 can still see id 100 appear later. Each event now records the id of the transaction
 * that wrote it (`tx_id`), and the trigger dispatcher reads in (tx_id, id) order, only up to the oldest
 * transaction still running, so it never moves past an event that is yet to commit. SQLite has one writer at a
 * time, so ids already follow commit order there and tx_id stays 0. Events written before this migration keep
 * tx_id 0, which sorts them before every later one, as they were.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .alterTable("events")
    .addColumn("tx_id", bigint, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("workflow_cursors")
    .addColumn("last_tx_id", bigint, (c) => c.notNull().defaultTo(0))
    .execute();
  if (dialect === "postgres") {
    await sql`alter table events alter column tx_id set default (pg_current_xact_id()::text)::bigint`.execute(
      db,
    );
    await db.schema.createIndex("events_commit_order").on("events").columns(["tx_id", "id"]).execute();
  }
}
