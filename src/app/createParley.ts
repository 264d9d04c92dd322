import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/loadConfig.ts";
import { resolveSecretKey } from "../config/resolveSecretKey.ts";
import { buildServer } from "../http/buildServer.ts";
import { EventHub } from "../live/EventHub.ts";
import { createDatabase } from "../store/createDatabase.ts";
import { migrate } from "../store/migrate.ts";
import { SecretBox } from "../store/secretBox.ts";
import { createStoreContext } from "../store/storeContext.ts";
import { workspaceStore } from "../store/workspaceStore.ts";
import type { AppContext } from "./AppContext.ts";

export interface Parley {
  deps: AppContext;
  server: FastifyInstance;
  /** Set on the very first start: the default workspace and its admin API key (shown once). */
  bootstrap: { workspaceId: string; apiKey: string } | null;
  close(): Promise<void>;
}

export interface ParleyOptions {
  /** Clock for tests. */
  now?: () => number;
}

/** The composition root: database, migrations, secrets, event hub, HTTP server. Nothing listens until `server.listen`. */
export async function createParley(
  config: Config,
  log: Logger,
  options: ParleyOptions = {},
): Promise<Parley> {
  const database = createDatabase(config.DATABASE_URL);
  try {
    await migrate(database.db, database.dialect);
    const secrets = new SecretBox(resolveSecretKey(config.PARLEY_SECRET_KEY, config.dataDir, log));
    const store = createStoreContext(database, secrets, options.now);
    const deps: AppContext = { config, log, store };

    let bootstrap: Parley["bootstrap"] = null;
    if (!(await workspaceStore.first(store))) {
      const ws = await workspaceStore.create(store, { name: "Default workspace" });
      const { key } = await workspaceStore.createApiKey(store, ws.id, "admin (first start)");
      bootstrap = { workspaceId: ws.id, apiKey: key };
    }

    const hub = new EventHub(store, log);
    await hub.start();
    const server = await buildServer(deps, { hub });
    return {
      deps,
      server,
      bootstrap,
      async close() {
        await server.close();
        await hub.stop();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
