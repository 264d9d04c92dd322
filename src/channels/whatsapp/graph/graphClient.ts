import { z } from "zod";
import type { GraphSendMessage } from "./graphMessageSchema.ts";
import { keepAliveFetch, type SmallFetch, type SmallResponse } from "./keepAliveFetch.ts";
import { toGraphMarkRead } from "./toGraphMessage.ts";

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

export type GraphSendResult =
  | { ok: true; waMessageId: string; waId?: string; messageStatus?: string }
  | { ok: false; error: GraphError };

const MAX_TEMPLATE_PAGES = 100;

export interface GraphClientOptions {
  /** `https://graph.facebook.com`, or the built-in simulator's base URL. */
  baseUrl: string;
  /** Graph API version, e.g. "v23.0". */
  version: string;
  accessToken: string;
  timeoutMs: number;
  /** Defaults to a keep-alive node:http transport shared by every client of the process. */
  fetch?: typeof fetch;
}

/** Hundreds of sends in flight to one host at 1,000 mps; more connections than this only queue at Meta. */
const sharedTransport = keepAliveFetch({ maxSockets: 256 });

function retryAfter(res: SmallResponse): number | undefined {
  const h = res.headers.get("retry-after");
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Tells our own deadline apart from a refused connection, a reset or a DNS failure. */
function transportError(err: unknown, signal: AbortSignal): GraphError {
  const name = err instanceof Error ? err.name : "";
  if (signal.aborted || name === "TimeoutError" || name === "AbortError") {
    return { kind: "timeout", message: "no answer within the timeout" };
  }
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return { kind: "network", message: `${err instanceof Error ? err.message : String(err)}${cause}` };
}

/**
 * A small Cloud API client: send a message, mark one read, list a WABA's templates. Failures are returned as
 * data (`{ ok: false, error }`), never thrown, so callers decide about retries in one place.
 */
export function createGraphClient(opts: GraphClientOptions) {
  const doFetch = (opts.fetch as SmallFetch | undefined) ?? sharedTransport;
  const root = `${opts.baseUrl.replace(/\/+$/, "")}/${opts.version}`;

  async function call(
    method: "GET" | "POST",
    url: string,
    body?: unknown,
  ): Promise<{ ok: true; json: unknown } | { ok: false; error: GraphError }> {
    // One deadline for the whole exchange: a server that sends headers and then stalls is a timeout too.
    const signal = AbortSignal.timeout(opts.timeoutMs);
    let res: SmallResponse;
    let text: string;
    try {
      res = await doFetch(url, {
        method,
        headers: {
          authorization: `Bearer ${opts.accessToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await res.text();
    } catch (err) {
      return { ok: false, error: transportError(err, signal) };
    }
    const json = parseJson(text);
    if (res.ok) {
      if (json === undefined)
        return {
          ok: false,
          error: { kind: "http", httpStatus: res.status, message: "response was not JSON" },
        };
      return { ok: true, json };
    }
    const env = errorEnvelope.safeParse(json);
    if (!env.success) {
      return {
        ok: false,
        error: {
          kind: "http",
          httpStatus: res.status,
          retryAfterMs: retryAfter(res),
          message: `HTTP ${res.status}`,
        },
      };
    }
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

  const messagesUrl = (phoneNumberId: string) => `${root}/${encodeURIComponent(phoneNumberId)}/messages`;

  return {
    /** Sends one message; `ok` means Meta accepted it, delivery is reported later by webhook. */
    async sendMessage(phoneNumberId: string, body: GraphSendMessage): Promise<GraphSendResult> {
      const r = await call("POST", messagesUrl(phoneNumberId), body);
      if (!r.ok) return r;
      const parsed = sendResponse.safeParse(r.json);
      if (!parsed.success) {
        return {
          ok: false,
          error: { kind: "http", httpStatus: 200, message: "unexpected success body from the Graph API" },
        };
      }
      const m = parsed.data.messages[0]!;
      return {
        ok: true,
        waMessageId: m.id,
        waId: parsed.data.contacts?.[0]?.wa_id,
        messageStatus: m.message_status,
      };
    },

    async markRead(
      phoneNumberId: string,
      waMessageId: string,
    ): Promise<{ ok: true } | { ok: false; error: GraphError }> {
      const r = await call("POST", messagesUrl(phoneNumberId), toGraphMarkRead(waMessageId));
      return r.ok ? { ok: true } : r;
    },

    /** Every template of a WABA, following Meta's `paging.next` links page by page. */
    async listTemplates(
      wabaId: string,
    ): Promise<{ ok: true; templates: GraphTemplate[] } | { ok: false; error: GraphError }> {
      const templates: GraphTemplate[] = [];
      const first = new URL(`${root}/${encodeURIComponent(wabaId)}/message_templates`);
      first.searchParams.set("fields", "id,name,language,category,status,components");
      first.searchParams.set("limit", "100");
      let url: string | undefined = first.href;
      // The page cap stops a server that keeps answering with a `next` link from looping us forever.
      for (let page = 0; url && page < MAX_TEMPLATE_PAGES; page++) {
        const r = await call("GET", url);
        if (!r.ok) return r;
        const parsed = templatePage.safeParse(r.json);
        if (!parsed.success) {
          return {
            ok: false,
            error: { kind: "http", httpStatus: 200, message: "unexpected template list from the Graph API" },
          };
        }
        templates.push(...parsed.data.data);
        const next = parsed.data.paging?.next;
        url = next ? new URL(next, url).href : undefined;
        // The bearer token goes with every request, so never follow a link off the configured host.
        if (url && new URL(url).origin !== first.origin) {
          return {
            ok: false,
            error: { kind: "http", httpStatus: 200, message: "paging link points to another host" },
          };
        }
      }
      return { ok: true, templates };
    },
  };
}
export type GraphClient = ReturnType<typeof createGraphClient>;
