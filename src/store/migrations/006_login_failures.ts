import type { Kysely } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/**
 * Failed sign-ins, one row per failure and limiter key (an address, or an address + email hash), so that the
 * sign-in rate limit holds across every API process sharing the database.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .createTable("login_failures")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("at", bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("login_failures_key").on("login_failures").columns(["key", "at"]).execute();
  await db.schema.createIndex("login_failures_at").on("login_failures").columns(["at"]).execute();
}
