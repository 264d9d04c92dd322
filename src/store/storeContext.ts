import { EventEmitter } from "node:events";
import type { Kysely, Transaction } from "kysely";
import type { Database, Dialect } from "./createDatabase.ts";
import type { DatabaseSchema } from "./databaseSchema.ts";
import type { SecretBox } from "./secretBox.ts";

export type Db = Kysely<DatabaseSchema>;
export type Tx = Transaction<DatabaseSchema>;

/** What every store function needs: the database, its dialect, the secret box, and the in-process event bus. */
export interface StoreContext {
  db: Db;
  dialect: Dialect;
  database: Database;
  secrets: SecretBox;
  /** Emits "committed" after a transaction that wrote events commits (wakes the live stream and workers). */
  bus: EventEmitter;
  now(): number;
}

export function createStoreContext(
  database: Database,
  secrets: SecretBox,
  now: () => number = Date.now,
): StoreContext {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return { db: database.db, dialect: database.dialect, database, secrets, bus, now };
}
