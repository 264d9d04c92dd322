import { randomBytes } from "node:crypto";

/** Meta's error envelope, exactly as the Cloud API shapes it: message "(#code) title", details in error_data. */
export function graphErrorBody(code: number, title: string, details: string) {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type: code === 190 || code === 0 ? "OAuthException" : "OAuthException",
      code,
      error_data: { messaging_product: "whatsapp", details },
      fbtrace_id: randomBytes(9).toString("base64url"),
    },
  };
}

/** The HTTP status the Cloud API uses for each error code the simulator raises. */
export function graphErrorStatus(code: number): number {
  if (code === 190 || code === 0) return 401;
  if (code === 131000) return 500;
  if (code === 132001) return 404;
  return 400;
}
