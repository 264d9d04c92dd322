import { Command } from "commander";
import pino from "pino";
import { loadConfig } from "../config/loadConfig.ts";
import { createLogger } from "../log/createLogger.ts";
import { createDatabase } from "../store/createDatabase.ts";
import { migrate } from "../store/migrate.ts";

/** `parley migrate`: brings the database schema up to date and exits. */
export function migrateCommand(): Command {
  return new Command("migrate").description("bring the database schema up to date").action(async () => {
    const config = loadConfig();
    const log = createLogger(config.LOG_LEVEL, pino.destination(2));
    const database = createDatabase(config.DATABASE_URL, { poolSize: config.PARLEY_PG_POOL });
    try {
      const applied = await migrate(database.db, database.dialect);
      log.info({ applied }, applied.length ? "migrations applied" : "schema is up to date");
      process.stdout.write(`${applied.length ? `applied: ${applied.join(", ")}` : "schema is up to date"}\n`);
    } finally {
      await database.close();
    }
  });
}
