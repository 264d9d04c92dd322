import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { StepOf } from "../core/workflow/workflowDefinitionSchema.ts";
import { WORKFLOW_LIMITS } from "../core/workflow/workflowLimits.ts";
import { guardedHttpCall, PrivateAddressError, TimeoutError } from "./guardedHttpCall.ts";
import { isPrivateAddress } from "./isPrivateAddress.ts";
import type { StepContext } from "./stepTypes.ts";

type HttpAnswer = NonNullable<StepContext["http"]>;

async function renderDeep(value: unknown, render: (s: string) => Promise<string>): Promise<unknown> {
  if (typeof value === "string") return render(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderDeep(v, render)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderDeep(v, render);
    return out;
  }
  return value;
}

/**
 * Makes an http_request step's call, outside any transaction. Hosts that resolve to private networks are refused
 * unless allowed (a workflow author must not be able to probe the server's own network). The answer is kept as
 * JSON when it parses, as text otherwise, and capped in size.
 */
export async function performHttpRequest(
  step: StepOf<"http_request">,
  render: (s: string) => Promise<string>,
  allowPrivate: boolean,
): Promise<HttpAnswer> {
  let url: URL;
  try {
    url = new URL(await render(step.url));
  } catch {
    return { ok: false, status: 0, body: null, error: "invalid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, status: 0, body: null, error: "only http and https URLs are allowed" };
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return { ok: false, status: 0, body: null, error: `cannot resolve ${host}` };
    }
    if (addresses.some(isPrivateAddress))
      return {
        ok: false,
        status: 0,
        body: null,
        error: `${host} is on a private network; set PARLEY_HTTP_ALLOW_PRIVATE=on to allow it`,
      };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k] = await render(v);
  let body: string | undefined;
  if (step.body !== undefined && step.method !== "GET") {
    const rendered = await renderDeep(step.body, render);
    body = typeof rendered === "string" ? rendered : JSON.stringify(rendered);
    if (typeof rendered !== "string" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  try {
    const res = await guardedHttpCall(url, {
      method: step.method,
      headers,
      body,
      timeoutMs: step.timeout_ms,
      allowPrivate,
      maxBytes: WORKFLOW_LIMITS.httpResponseBytes,
    });
    let parsed: unknown = res.text;
    try {
      parsed = res.text ? JSON.parse(res.text) : null;
    } catch {
      // Not JSON: keep the text.
    }
    return { ok: res.status >= 200 && res.status < 300, status: res.status, body: parsed };
  } catch (err) {
    const error =
      err instanceof TimeoutError
        ? `timed out after ${step.timeout_ms} ms`
        : err instanceof PrivateAddressError
          ? `${url.hostname} is on a private network; set PARLEY_HTTP_ALLOW_PRIVATE=on to allow it`
          : err instanceof Error
            ? err.message
            : String(err);
    return { ok: false, status: 0, body: null, error };
  }
}
