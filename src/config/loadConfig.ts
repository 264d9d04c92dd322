import { dirname } from "node:path";
import { z } from "zod";
import { DEFAULT_PG_POOL } from "../store/createDatabase.ts";

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, "must be sqlite:PATH or postgres://…")
    .default("sqlite:./data/parley.db"),
  PARLEY_DATA_DIR: z.string().min(1).optional(),
  PARLEY_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The URL people and Meta reach this server at; shown as the webhook URL to paste into Meta. */
  // Without a trailing slash, so every link built on it is `${PUBLIC_URL}/path`.
  PUBLIC_URL: z
    .url()
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  /** Mount the built-in WhatsApp simulator in `parley serve` (the embedded default's WhatsApp). */
  PARLEY_SIMULATOR: z.enum(["on", "off"]).default("on"),
  /**
   * PostgreSQL connections per Parley process. PostgreSQL does best with about twice its cores in busy
   * connections in all; more only adds switching (on 2 cores: 118 runs/s with 10 per process, 154–193 with 4).
   */
  PARLEY_PG_POOL: z.coerce.number().int().min(2).max(200).default(DEFAULT_PG_POOL),
  /**
   * SQLite file: store and process webhooks on a second thread, behind an append-only spool, so HTTP and the
   * database work on two cores (`off`: one thread does both, as on PostgreSQL).
   */
  PARLEY_WEBHOOK_THREAD: z.enum(["on", "off"]).default("on"),
  /** Let workflow http_request steps reach private networks (loopback, 10/8, 192.168/16 …). */
  PARLEY_HTTP_ALLOW_PRIVATE: z.enum(["on", "off"]).default("off"),
  /**
   * Which proxies may tell us the client's address (X-Forwarded-For), for sign-in rate limits and logs: `true`,
   * `false`, or a comma-separated list of addresses, CIDRs and the names loopback / linklocal / uniquelocal.
   */
  PARLEY_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, "must be true, false or a comma-separated list")
    .default("loopback,linklocal,uniquelocal"),
  /** When set, `GET /metrics` asks for `Authorization: Bearer <this token>`; unset, it is open (aggregates only). */
  PARLEY_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

export type Config = z.infer<typeof configSchema> & { dataDir: string };

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates configuration from environment variables; the error names each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in configSchema.shape && v !== "")),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const c = parsed.data;
  const dataDir =
    c.PARLEY_DATA_DIR ??
    (c.DATABASE_URL.startsWith("sqlite:") && c.DATABASE_URL !== "sqlite::memory:"
      ? dirname(c.DATABASE_URL.slice(7))
      : "./data");
  return { ...c, dataDir };
}
