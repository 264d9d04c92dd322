export interface SseEvent {
  id: string | null;
  event: string;
  data: any;
}

export interface SseClient {
  status: number;
  headers: Headers;
  events: SseEvent[];
  /** Waits (bounded) until an event matching `match` has arrived and returns it. */
  waitFor(what: string, match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** Opens a Server-Sent Events stream with fetch and parses it in the background. Always `close()` it. */
export async function connectSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };

  if (res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = "";
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
            let id: string | null = null;
            let event = "message";
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              const [field, ...rest] = line.split(":");
              const v = rest.join(":").replace(/^ /, "");
              if (field === "id") id = v;
              else if (field === "event") event = v;
              else if (field === "data") data.push(v);
            }
            if (data.length > 0) {
              events.push({ id, event, data: JSON.parse(data.join("\n")) });
              notify();
            }
          }
        }
      } catch {
        // aborted
      }
    })();
  }

  return {
    status: res.status,
    headers: res.headers,
    events,
    async waitFor(what, match, timeoutMs = 5000) {
      const found = events.find(match);
      if (found) return found;
      return new Promise<SseEvent>((resolve, reject) => {
        const check = () => {
          const e = events.find(match);
          if (e) {
            done();
            resolve(e);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; got ${events.map((e) => e.event).join(", ")}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    close() {
      abort.abort();
    },
  };
}
