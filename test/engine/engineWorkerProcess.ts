// A bare workflow-engine process for crash tests: `node --import tsx test/engine/engineWorkerProcess.ts`.
// It prints "ready" once running; the test then kills it with SIGKILL at an arbitrary moment.
import pino from "pino";
import { createParley } from "../../src/app/createParley.ts";
import { loadConfig } from "../../src/config/loadConfig.ts";

const config = loadConfig();
const parley = await createParley(
  // As `parley worker` does: the webhook spool belongs to the process serving HTTP (the test's own).
  { ...config, PARLEY_SIMULATOR: "off", PARLEY_WEBHOOK_THREAD: "off" },
  pino({ level: process.env.TEST_WORKER_LOG ?? "silent" }, pino.destination(2)),
  {
    workflows: { leaseMs: Number(process.env.TEST_LEASE_MS ?? 1000), pollMs: 20 },
  },
);
await parley.workflows.start();
process.stdout.write("ready\n");
// Every engine timer is unref'd (they must not hold a server open); this process exists only to run them.
setInterval(() => {}, 1 << 30);
