import type { Logger } from "pino";
import type { StoreContext } from "../store/storeContext.ts";

/** What the engine's parts share: the store, a logger, this process's lease owner id, and its settings. */
export interface EngineEnv {
  store: StoreContext;
  log: Logger;
  /** Identifies this process on the leases it holds. */
  owner: string;
  /** How long a claimed run stays ours without a heartbeat (each committed step renews it). */
  leaseMs: number;
  /** PARLEY_HTTP_ALLOW_PRIVATE: http_request steps may reach private networks. */
  allowPrivateHttp: boolean;
}
