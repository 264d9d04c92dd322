import { type Kysely, sql } from "kysely";
import type { Dialect } from "../createDatabase.ts";

/** The tables whose rows every workflow transaction reads and people change rarely (see configMemo). */
const TABLES = ["workspaces", "channels", "templates", "categories"] as const;

/**
 * One counter that moves whenever a workspace's settings, channels, templates or categories change, bumped by
 * triggers in the database itself so that no writer (or future writer) can forget it. Processes cache those rows
 * across transactions and check the counter once per transaction instead of reading each of them again.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await sql`create table config_generation (id integer primary key, n bigint not null)`.execute(db);
  await sql`insert into config_generation (id, n) values (1, 0)`.execute(db);
  if (dialect === "postgres") {
    await sql`create function parley_bump_config_generation() returns trigger language plpgsql as $$
      begin
        update config_generation set n = n + 1 where id = 1;
        return null;
      end $$`.execute(db);
    for (const table of TABLES)
      await sql`create trigger ${sql.raw(`${table}_config_generation`)}
        after insert or update or delete on ${sql.table(table)}
        for each statement execute function parley_bump_config_generation()`.execute(db);
    return;
  }
  for (const table of TABLES)
    for (const op of ["insert", "update", "delete"])
      await sql`create trigger ${sql.raw(`${table}_${op}_config_generation`)} after ${sql.raw(op)} on ${sql.table(table)}
        begin update config_generation set n = n + 1 where id = 1; end`.execute(db);
}
