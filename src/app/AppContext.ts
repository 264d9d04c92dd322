import type { Logger } from "pino";
import type { Config } from "../config/loadConfig.ts";
import type { StoreContext } from "../store/storeContext.ts";

/** Everything a request handler or worker needs, built once at start-up by createParley. */
export interface AppContext {
  config: Config;
  log: Logger;
  store: StoreContext;
}
