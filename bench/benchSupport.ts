import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number | undefined, statFile = `/proc/${pid}/stat`): number {
  try {
    const fields = readFileSync(statFile, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds (user + system) used so far by each thread of a process, by thread id, from /proc (Linux); empty
 * elsewhere. The process's main thread has the process's own id.
 */
export function threadCpuSeconds(pid: number | undefined): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const cpu = cpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`);
      if (!Number.isNaN(cpu)) out.set(Number(tid), cpu);
    }
  } catch {}
  return out;
}

/**
 * CPU seconds used so far by every running process whose command name is `name` (e.g. PostgreSQL's server and
 * backends), from /proc (Linux); NaN elsewhere. Processes that have exited are not counted.
 */
export function cpuSecondsOfCommand(name: string): number {
  try {
    let sum = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let comm: string;
      try {
        comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      } catch {
        continue; // gone meanwhile
      }
      const cpu = comm === name ? cpuSeconds(Number(pid)) : 0;
      if (!Number.isNaN(cpu)) sum += cpu;
    }
    return sum;
  } catch {
    return Number.NaN;
  }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `node bin/parley.js <args>` as its own process and waits until it answers on /healthz (or `readyPath`). */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  port: number,
  readyPath = "/healthz",
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  let out = "";
  const child = spawn(process.execPath, [...nodeArgs, "bin/parley.js", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    if (process.env.BENCH_ECHO) process.stderr.write(d);
    out += d;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`process did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // Answering /healthz is not the end of starting: threads (the webhook thread) are still loading their modules,
  // and that CPU would land in the measurement. Wait until the process is nearly idle (at most 10 s).
  for (let i = 0, last = cpuSeconds(child.pid); i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = cpuSeconds(child.pid);
    if (now - last < 0.02) break;
    last = now;
  }
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/** The 1-minute load average now; benchmarks take it when they start. */
export function loadNow(): number {
  return loadavg()[0] ?? 0;
}

/** A line describing the machine, for the results table; `loadAtStart` as taken by `loadNow()` at the start. */
export function machine(loadAtStart: number = loadNow()): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  // The machine may be shared: the load average at the start says how busy it was.
  return `${cpus().length} cores (${cpu.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, 1-min load average at start ${loadAtStart.toFixed(2)} (at the end ${loadNow().toFixed(2)})`;
}

/** Replaces the section between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmarks.md. */
export function writeSection(name: string, markdown: string): void {
  const file = "docs/benchmarks.md";
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let doc = existsSync(file)
    ? readFileSync(file, "utf8")
    : "# Benchmarks\n\nEach section is rewritten by its `npm run bench:*` command.\n";
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc =
    i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}
