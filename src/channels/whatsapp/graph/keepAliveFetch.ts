import http from "node:http";
import https from "node:https";

/** The part of fetch's Response the Graph client and the simulator's webhooks read. */
export interface SmallResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type SmallFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<SmallResponse>;

/**
 * A fetch-shaped POST/GET over node:http(s) with a keep-alive agent of at most `maxSockets` connections per
 * host. Global fetch (undici) costs several times more CPU per call and, with hundreds of calls in flight, keeps
 * opening connections; at 1,000 sends a second both showed. Aborting `signal` destroys the request with the
 * signal's reason, like fetch.
 */
export function keepAliveFetch(options: { maxSockets: number }): SmallFetch {
  // Idle connections are closed after 4 s, like fetch's: held forever, they keep a closing server (the
  // simulator's webhooks to Parley, Parley's calls to its mounted simulator) from ever finishing its close.
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    scheduling: "lifo" as const,
    timeout: 4000,
  };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  return (url, init) =>
    new Promise<SmallResponse>((resolve, reject) => {
      const u = new URL(url);
      const lib = u.protocol === "https:" ? https : http;
      const agent = u.protocol === "https:" ? agents["https:"] : agents["http:"];
      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const headers: Record<string, string | number> = { ...init.headers };
      if (body) headers["content-length"] = body.length;
      const signal = init.signal;
      if (signal?.aborted) return reject(signal.reason);
      const req = lib.request(u, { method: init.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", fail);
        // A connection dropped mid-body: no "end" is coming (a no-op once the promise has settled).
        res.on("close", () => {
          if (!res.complete) fail(new Error("connection closed before the response was complete"));
        });
        res.on("end", () => {
          signal?.removeEventListener("abort", onAbort);
          const buf = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            headers: {
              get: (name) => {
                const v = res.headers[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
              },
            },
            text: async () => buf.toString("utf8"),
            arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
          });
        });
      });
      function fail(err: unknown) {
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      }
      function onAbort() {
        req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", fail);
      req.end(body);
    });
}
