import { connect, type Socket } from "node:net";

export interface HttpLoadResult {
  /** Answers received (each request is answered before its connection sends the next). */
  total: number;
  non2xx: number;
  /** From the first request sent to the last answer received. */
  seconds: number;
  perSecond: number;
  /** Latency from writing a request to reading its whole answer, in ms. */
  p50: number;
  p99: number;
}

export interface HttpLoadOptions {
  port: number;
  path: string;
  connections: number;
  durationS: number;
  /** The i-th request's body and headers (besides host, content-type and content-length); built as it is sent. */
  request: (i: number) => { body: string; headers: Record<string, string> };
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * A minimal HTTP/1.1 load generator for the benchmarks: keep-alive connections, each writing its next POST as soon
 * as the last one is answered. It shares the machine with the server it measures, so it does as little as it can
 * per request (one write, a scan of the answer's head); autocannon took several times its CPU per request. It
 * reads only answers with a `content-length` (what Fastify sends).
 */
export function httpLoad(o: HttpLoadOptions): Promise<HttpLoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let non2xx = 0;
  let stopped = false;
  let open = o.connections;
  const started = performance.now();
  let finished = started;

  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      stopped = true;
      reject(err);
    };
    const done = () => {
      if (--open > 0) return;
      latencies.sort((a, b) => a - b);
      const at = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
      const seconds = (finished - started) / 1000;
      resolve({
        total: latencies.length,
        non2xx,
        seconds,
        perSecond: latencies.length / seconds,
        p50: at(0.5),
        p99: at(0.99),
      });
    };
    setTimeout(() => {
      stopped = true;
    }, o.durationS * 1000).unref();

    for (let c = 0; c < o.connections; c++) {
      const socket: Socket = connect({ port: o.port, host: "127.0.0.1", noDelay: true });
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        const { body, headers } = o.request(next++);
        let head = `POST ${o.path} HTTP/1.1\r\nhost: 127.0.0.1:${o.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
        for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
        sentAt = performance.now();
        socket.write(`${head}\r\n${body}`);
      };
      socket.once("connect", send);
      socket.on("error", fail);
      socket.on("data", (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const headEnd = pending.indexOf(HEAD_END);
        if (headEnd < 0) return;
        const head = pending.toString("latin1", 0, headEnd);
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
        if (length === undefined) return fail(new Error(`answer without content-length: ${head}`));
        const end = headEnd + HEAD_END.length + Number(length);
        if (pending.length < end) return;
        if (pending.length > end) return fail(new Error("an answer arrived that was not asked for"));
        pending = Buffer.alloc(0);
        const now = performance.now();
        latencies.push(now - sentAt);
        const status = Number(head.slice(9, 12));
        if (status < 200 || status >= 300) non2xx++;
        if (!stopped) return send();
        finished = Math.max(finished, now);
        socket.end();
        done();
      });
    }
  });
}
