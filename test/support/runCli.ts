import { execFile } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/parley.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line: where the CLI prints the id or key it created. */
  lastLine: string;
}

/** The environment without any Parley variable of the machine running the tests. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(PORT|HOST|DATABASE_URL|PARLEY_|LOG_LEVEL|PUBLIC_URL)/.test(k),
    ),
  );
  return { ...base, LOG_LEVEL: "warn", ...env };
}

/** Runs `node bin/parley.js …` as a child process to completion (bounded to 60 s: CI machines are shared). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, lastLine: stdout.trim().split("\n").at(-1)?.trim() ?? "" });
      },
    );
  });
}
