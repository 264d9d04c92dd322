import { z } from "zod";

/** A failed Graph call: Meta's error envelope, an HTTP status without one, a timeout, or a network failure. */
export interface GraphError {
  kind: "api" | "http" | "timeout" | "network";
  httpStatus?: number;
  code?: number;
  subcode?: number;
  message?: string;
  details?: string;
  fbtraceId?: string;
  isTransient?: boolean;
  retryAfterMs?: number;
}

const errorEnvelope = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.coerce.number(),
    error_subcode: z.coerce.number().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
  }),
});

const sendResponse = z.looseObject({
  messages: z.array(z.looseObject({ id: z.string(), message_status: z.string().optional() })).min(1),
  contacts: z.array(z.looseObject({ input: z.string().optional(), wa_id: z.string().optional() })).optional(),
});

const templatePage = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.string().optional(),
      name: z.string(),
      language: z.string(),
      category: z.string(),
      status: z.string(),
      components: z.array(z.unknown()).optional(),
    }),
  ),
  paging: z.looseObject({ next: z.string().optional() }).optional(),
});
export type GraphTemplate = z.infer<typeof templatePage>["data"][number];

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  accessToken: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

function retryAfter(res: Response): number | undefined {
  const h = res.headers.get("retry-after");
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * A small Cloud API client: send a message, mark one read, list a WABA's templates. Failures are returned as
 * data (`{ ok: false, error }`), never thrown, so callers decide about retries in one place.
 */
export function createGraphClient(opts: GraphClientOptions) {
  const doFetch = opts.fetch ?? fetch;
  const root = `${opts.baseUrl.replace(/\/+$/, "")}/${opts.version}`;

  async function call(
    method: "GET" | "POST",
    url: string,
    body?: unknown,
  ): Promise<{ ok: true; json: unknown } | { ok: false; error: GraphError }> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: {
          authorization: `Bearer ${opts.accessToken}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      const timeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      return {
        ok: false,
        error: {
          kind: timeout ? "timeout" : "network",
          message: err instanceof Error ? err.message : String(err),
        },
      };
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (err) {
      if (res.ok)
        return {
          ok: false,
          error: { kind: "http", httpStatus: res.status, message: "response was not JSON" },
        };
      json = undefined;
      void err;
    }
    if (res.ok) return { ok: true, json };
    const env = errorEnvelope.safeParse(json);
    if (!env.success)
      return {
        ok: false,
        error: {
          kind: "http",
          httpStatus: res.status,
          retryAfterMs: retryAfter(res),
          message: `HTTP ${res.status}`,
        },
      };
    const e = env.data.error;
    return {
      ok: false,
      error: {
        kind: "api",
        httpStatus: res.status,
        code: e.code,
        subcode: e.error_subcode,
        message: e.message,
        details: e.error_data?.details,
        fbtraceId: e.fbtrace_id,
        isTransient: e.is_transient,
        retryAfterMs: retryAfter(res),
      },
    };
  }

  return {
    async sendMessage(
      phoneNumberId: string,
      body: unknown,
    ): Promise<{ ok: true; waMessageId: string; messageStatus?: string } | { ok: false; error: GraphError }> {
      const r = await call("POST", `${root}/${encodeURIComponent(phoneNumberId)}/messages`, body);
      if (!r.ok) return r;
      const parsed = sendResponse.safeParse(r.json);
      if (!parsed.success)
        return {
          ok: false,
          error: { kind: "http", httpStatus: 200, message: "unexpected success body from the Graph API" },
        };
      const m = parsed.data.messages[0]!;
      return { ok: true, waMessageId: m.id, messageStatus: m.message_status };
    },

    async markRead(
      phoneNumberId: string,
      waMessageId: string,
    ): Promise<{ ok: true } | { ok: false; error: GraphError }> {
      const r = await call("POST", `${root}/${encodeURIComponent(phoneNumberId)}/messages`, {
        messaging_product: "whatsapp",
        status: "read",
        message_id: waMessageId,
      });
      return r.ok ? { ok: true } : r;
    },

    async listTemplates(
      wabaId: string,
    ): Promise<{ ok: true; templates: GraphTemplate[] } | { ok: false; error: GraphError }> {
      const templates: GraphTemplate[] = [];
      let url: string | undefined = `${root}/${encodeURIComponent(wabaId)}/message_templates?limit=100`;
      for (let page = 0; url && page < 100; page++) {
        const r = await call("GET", url);
        if (!r.ok) return r;
        const parsed = templatePage.safeParse(r.json);
        if (!parsed.success)
          return {
            ok: false,
            error: { kind: "http", httpStatus: 200, message: "unexpected template list from the Graph API" },
          };
        templates.push(...parsed.data.data);
        url = parsed.data.paging?.next;
      }
      return { ok: true, templates };
    },
  };
}
export type GraphClient = ReturnType<typeof createGraphClient>;
