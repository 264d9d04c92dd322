import { type Kysely, type Migration, Migrator } from "kysely";
import type { Dialect } from "./createDatabase.ts";
import * as m001 from "./migrations/001_core.ts";
import * as m002 from "./migrations/002_whatsapp.ts";
import * as m002b from "./migrations/002b_lookup_indexes.ts";
import * as m003 from "./migrations/003_workflows.ts";
import * as m004 from "./migrations/004_users.ts";
import * as m005 from "./migrations/005_channel_messaging_limit.ts";
import * as m006 from "./migrations/006_login_failures.ts";
import * as m007 from "./migrations/007_event_commit_order.ts";
import * as m008 from "./migrations/008_config_generation.ts";
import * as m009 from "./migrations/009_waitpoint_message.ts";

type DialectMigration = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

/** Every migration in order; one set for both engines (each receives the dialect for the few type differences). */
const migrations: Record<string, DialectMigration> = {
  "001_core": m001,
  "002_whatsapp": m002,
  "002b_lookup_indexes": m002b,
  "003_workflows": m003,
  "004_users": m004,
  "005_channel_messaging_limit": m005,
  "006_login_failures": m006,
  "007_event_commit_order": m007,
  "008_config_generation": m008,
  "009_waitpoint_message": m009,
};

/** Brings the schema up to date; safe to call from several processes at once (Kysely takes a lock). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and regardless of) the typed schema.
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: {
      async getMigrations() {
        const out: Record<string, Migration> = {};
        for (const [name, m] of Object.entries(migrations)) out[name] = { up: (tx) => m.up(tx, dialect) };
        return out;
      },
    },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
