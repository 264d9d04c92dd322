import type { Logger } from "pino";
import type { Config } from "../config/loadConfig.ts";
import type { StoreContext } from "../store/storeContext.ts";

/** Everything a request handler or worker needs, built once at start-up by createParley. */
export interface AppContext {
  config: Config;
  log: Logger;
  store: StoreContext;
  /** Webhook deliveries answered but not yet in the database (the spool's backlog; 0 without the spool). */
  webhookBacklog?: () => number;
}
