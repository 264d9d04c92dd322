import { type Channel, toChannel } from "../../../store/channelStore.ts";
import type { StoreContext } from "../../../store/storeContext.ts";

export interface RoutedChannel {
  channel: Channel;
  appSecret: string;
  verifyToken: string;
  accessToken: string;
}

const TTL_MS = 5_000;

/**
 * Finds the channel a webhook belongs to (by phone_number_id, or by WABA id for account-level fields) with its
 * app secret, cached for a few seconds because every webhook needs it and decrypting per request is wasteful.
 */
export class ChannelDirectory {
  readonly #store: StoreContext;
  #loadedAt = 0;
  #byPhone = new Map<string, RoutedChannel>();
  #byWaba = new Map<string, RoutedChannel[]>();
  #loading: Promise<void> | null = null;

  constructor(store: StoreContext) {
    this.#store = store;
    store.bus.on("channels.changed", () => this.invalidate());
  }

  invalidate(): void {
    this.#loadedAt = 0;
  }

  async byPhoneNumberId(phoneNumberId: string): Promise<RoutedChannel | undefined> {
    await this.#fresh();
    const hit = this.#byPhone.get(phoneNumberId);
    if (hit || this.#store.now() - this.#loadedAt < 500) return hit;
    // A channel connected in another process since the last load: reload once, not on every unknown number.
    this.invalidate();
    await this.#fresh();
    return this.#byPhone.get(phoneNumberId);
  }

  async byWabaId(wabaId: string): Promise<RoutedChannel[]> {
    await this.#fresh();
    return this.#byWaba.get(wabaId) ?? [];
  }

  async all(): Promise<RoutedChannel[]> {
    await this.#fresh();
    return [...this.#byPhone.values()];
  }

  async #fresh(): Promise<void> {
    if (this.#store.now() - this.#loadedAt < TTL_MS) return;
    this.#loading ??= this.#load().finally(() => {
      this.#loading = null;
    });
    await this.#loading;
  }

  async #load(): Promise<void> {
    const rows = await this.#store.db.selectFrom("channels").selectAll().execute();
    const byPhone = new Map<string, RoutedChannel>();
    const byWaba = new Map<string, RoutedChannel[]>();
    for (const row of rows) {
      const routed = {
        channel: toChannel(row),
        appSecret: this.#store.secrets.open(row.app_secret_enc),
        verifyToken: this.#store.secrets.open(row.verify_token_enc),
        accessToken: this.#store.secrets.open(row.access_token_enc),
      };
      byPhone.set(row.phone_number_id, routed);
      byWaba.set(row.waba_id, [...(byWaba.get(row.waba_id) ?? []), routed]);
    }
    this.#byPhone = byPhone;
    this.#byWaba = byWaba;
    this.#loadedAt = this.#store.now();
  }
}
