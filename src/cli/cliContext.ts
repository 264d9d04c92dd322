import pino from "pino";
import { type Config, loadConfig } from "../config/loadConfig.ts";
import { resolveSecretKey } from "../config/resolveSecretKey.ts";
import { createLogger } from "../log/createLogger.ts";
import { createDatabase } from "../store/createDatabase.ts";
import { migrate } from "../store/migrate.ts";
import { SecretBox } from "../store/secretBox.ts";
import { createStoreContext, type StoreContext } from "../store/storeContext.ts";

/**
 * For one-shot commands: config, a logger on stderr (stdout is kept for the result, which scripts read),
 * and a migrated store. Call `close` when done.
 */
export async function cliContext(): Promise<{
  config: Config;
  store: StoreContext;
  close: () => Promise<void>;
}> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, pino.destination(2));
  const database = createDatabase(config.DATABASE_URL, { poolSize: config.PARLEY_PG_POOL });
  await migrate(database.db, database.dialect);
  const store = createStoreContext(
    database,
    new SecretBox(resolveSecretKey(config.PARLEY_SECRET_KEY, config.dataDir, log)),
  );
  return { config, store, close: () => database.close() };
}
