import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, type ErrorCode, type FieldIssue } from "../core/errors.ts";
import { explainZodIssues, fieldPath, type RawZodIssue } from "../core/explainZodIssues.ts";

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
  code: string;
}

/** The one place where error codes meet HTTP statuses. */
const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  malformed_json: 400,
  not_found: 404,
  conflict: 409,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  window_closed: 422,
  rate_limited: 429,
  unavailable: 503,
};

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problem(status: number, code: string, detail: string, errors?: FieldIssue[]): Problem {
  return {
    type: `urn:parley:problem:${code}`,
    title: titles[status] ?? "Error",
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Turns any thrown error into a problem; only truly unexpected errors become 500 (and get logged as such). */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) return problem(statusOf[error.code], error.code, error.detail, error.errors);
  const fe = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const where = fe.validationContext ?? "body";
    const raw: RawZodIssue[] = fe.validation.map((v) => ({
      ...(v.params as Partial<RawZodIssue>),
      code: v.keyword,
      message: v.message ?? "is invalid",
      path: (v.instancePath ?? "")
        .split("/")
        .filter(Boolean)
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    }));
    const errors = explainZodIssues(raw).map(({ path, field, code, message, keys }) => {
      if (code === "unrecognized_keys" && keys) {
        const names = keys.map((k) => fieldPath([...path, k]));
        return {
          field: names.join(", "),
          message: `unknown field${names.length > 1 ? "s" : ""}, not accepted here`,
        };
      }
      return { field: field || where, message };
    });
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    const status = where === "params" ? 404 : 422;
    return problem(
      status,
      status === 404 ? "not_found" : "validation",
      `Invalid ${where}: ${detail}`,
      errors,
    );
  }
  if (
    fe &&
    typeof fe === "object" &&
    typeof fe.statusCode === "number" &&
    fe.statusCode >= 400 &&
    fe.statusCode < 500
  ) {
    switch (fe.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return problem(413, "body_too_large", "The request body is larger than the 1 MiB limit");
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return problem(415, "unsupported_media_type", "Send the body as application/json");
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return problem(
          400,
          "bad_request",
          "The body is empty but Content-Type is application/json; send a JSON object",
        );
      default:
        if (fe instanceof SyntaxError || fe.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
          return problem(400, "malformed_json", `The body is not valid JSON: ${fe.message}`);
        }
        return problem(fe.statusCode, "bad_request", fe.message);
    }
  }
  return problem(500, "internal", "Something went wrong on our side; it has been logged");
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type("application/problem+json").send(p);
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const p = toProblem(error);
  if (p.status >= 500) request.log.error({ err: error }, "unhandled error");
  return sendProblem(reply, p);
}
