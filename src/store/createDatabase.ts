import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  type Driver,
  Kysely,
  PostgresDialect,
  type SqliteDatabase as SqliteDatabaseLike,
  SqliteDialect,
  type SqliteDialectConfig,
} from "kysely";
import pg from "pg";
import type { DatabaseSchema } from "./databaseSchema.ts";
import { inlineLimitOne } from "./inlineLimitOne.ts";
import type { ThreadWriteLock } from "./ThreadWriteLock.ts";
import { startWalCheckpointer, WAL_AUTOCHECKPOINT_FRAMES } from "./walCheckpointer.ts";

export type Dialect = "sqlite" | "postgres";

/** PostgreSQL connections per process unless told otherwise (PARLEY_PG_POOL; see loadConfig). */
export const DEFAULT_PG_POOL = 4;

export interface Database {
  db: Kysely<DatabaseSchema>;
  dialect: Dialect;
  /** The SQLite file (absent for PostgreSQL). */
  file?: string;
  /** A PostgreSQL connection string (absent for SQLite); used for LISTEN. */
  url?: string;
  /**
   * The SQLite handle (absent for PostgreSQL), for the few hot paths that run prepared statements directly. Only
   * use it while holding Kysely's connection (`db.connection().execute(…)`), never inside a Kysely transaction
   * of someone else's.
   */
  sqlite?: SqliteDatabase.Database;
  close(): Promise<void>;
}

// PostgreSQL returns int8 as strings to protect precision; our int8 columns hold epoch ms and counters.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * Opens the database named by a URL: `sqlite:PATH` (the embedded default, one file, WAL) or `postgres://…`.
 * @example const { db } = createDatabase("sqlite:./data/parley.db");
 */
export function createDatabase(
  url: string,
  options: {
    poolSize?: number;
    /** SQLite: taken around every use of the connection, when another thread has a connection to the file too. */
    threadLock?: ThreadWriteLock;
    /** SQLite: run the background checkpointer (default on; off in a second thread of the same process). */
    checkpointer?: boolean;
  } = {},
): Database {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? DEFAULT_PG_POOL });
    // An idle client that loses its connection must not crash the process.
    pool.on("error", () => {});
    const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: "postgres", url, close: () => db.destroy() };
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    const file = path === ":memory:" ? path : resolve(path);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    // The default 2 MB page cache makes every index lookup a read() once tables grow past a few thousand rows.
    sqlite.pragma("cache_size = -65536");
    sqlite.pragma("temp_store = memory");
    // Checkpoints run in a background thread (walCheckpointer, one per process); this is only the safety net.
    const checkpointer =
      file === ":memory:" || options.checkpointer === false ? null : startWalCheckpointer(file);
    if (file !== ":memory:") sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_FRAMES}`);
    const db = new Kysely<DatabaseSchema>({
      dialect: options.threadLock
        ? new LockingSqliteDialect({ database: cachingStatements(sqlite) }, options.threadLock)
        : new SqliteDialect({ database: cachingStatements(sqlite) }),
      plugins: [inlineLimitOne],
    });
    return {
      db,
      dialect: "sqlite",
      file,
      sqlite,
      close: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(":")[0]}:…")`);
}

/** Kysely's SQLite dialect, whose one connection is also held under a lock shared with other threads. */
class LockingSqliteDialect extends SqliteDialect {
  readonly #lock: ThreadWriteLock;

  constructor(config: SqliteDialectConfig, lock: ThreadWriteLock) {
    super(config);
    this.#lock = lock;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const lock = this.#lock;
    const acquire = driver.acquireConnection.bind(driver);
    const release = driver.releaseConnection.bind(driver);
    // Kysely's own mutex first, then the threads' lock: a thread holds the shared lock only while it runs.
    driver.acquireConnection = async () => {
      const connection = await acquire();
      await lock.acquire();
      return connection;
    };
    driver.releaseConnection = async (connection) => {
      lock.release();
      await release(connection);
    };
    return driver;
  }
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement, and the hot paths
 * (webhook ingestion, delivery claims) repeat the same few statements thousands of times a second.
 */
function cachingStatements(sqlite: SqliteDatabase.Database): SqliteDatabaseLike {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        // Multi-row inserts make many distinct texts; a crude bound keeps memory flat.
        if (cache.size >= 1000) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
