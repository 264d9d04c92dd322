import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isPrivateAddress } from "./isPrivateAddress.ts";

export class PrivateAddressError extends Error {}
export class TimeoutError extends Error {}

/**
 * Resolves like the default lookup, but refuses private addresses at connect time. Checking a name before the
 * call and letting the call resolve it again would let a DNS answer that changes in between (rebinding) reach
 * the server's own network; here the address checked is the address connected to.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, "", 4);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new PrivateAddressError(`${hostname} resolves to a private address`), "", 4);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new Error(`cannot resolve ${hostname}`), "", 4);
    callback(null, first.address, first.family);
  });
};

export interface HttpCall {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** The response body is cut at this many bytes. */
  maxBytes: number;
}

/** One HTTP request for an http_request step: no redirects followed, a total timeout, a capped body. */
export function guardedHttpCall(url: URL, o: HttpCall): Promise<{ status: number; text: string }> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: o.method,
        headers:
          o.body !== undefined ? { ...o.headers, "content-length": Buffer.byteLength(o.body) } : o.headers,
        ...(o.allowPrivate ? {} : { lookup: guardedLookup }),
        // A fresh connection each time: a pooled socket would skip the lookup and its check.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < o.maxBytes) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).subarray(0, o.maxBytes).toString("utf8"),
          });
        });
        res.on("error", (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new TimeoutError(`timed out after ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(o.body);
  });
}
