import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

// The thread runs the TypeScript sources as the main thread does (bin/parley.js): through tsx, registered first.
const BOOT = `const { workerData } = require("node:worker_threads");
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });`;

/**
 * Starts a worker thread on a TypeScript module, which reads its data from `workerData`. tsx's ESM entry is
 * named by path (its package exports map "tsx/esm/api" to it for import): a CommonJS resolve would give the
 * require entry, which can't register ESM hooks in a thread.
 */
export function startTsThread(entry: URL, data: object): Worker {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(
    join(dirname(require.resolve("tsx/package.json")), "dist/esm/api/index.mjs"),
  ).href;
  return new Worker(BOOT, {
    eval: true,
    workerData: { ...data, tsx, entry: entry.href },
  });
}
