/** The error codes the domain can raise; the HTTP layer maps each to a status in one place (src/http/problem.ts). */
export type ErrorCode =
  | "bad_request"
  | "malformed_json"
  | "not_found"
  | "conflict"
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "window_closed"
  | "rate_limited"
  | "unavailable";

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `phone` or `interactive.buttons[3]`. */
  field: string;
  message: string;
}

/** A typed, expected failure: carries a stable `code`, a human `detail`, and optional field issues. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errors: FieldIssue[];

  constructor(code: ErrorCode, detail: string, errors: FieldIssue[] = []) {
    super(detail);
    this.name = "AppError";
    this.code = code;
    this.detail = detail;
    this.errors = errors;
  }

  static notFound(what: string, id: string): AppError {
    return new AppError("not_found", `${what} ${id} was not found`);
  }

  static validation(field: string, message: string): AppError {
    return AppError.invalid([{ field, message }]);
  }

  /** A 422 naming every issue, its detail listing them in order. */
  static invalid(issues: FieldIssue[]): AppError {
    return new AppError("validation", issues.map((i) => `${i.field}: ${i.message}`).join("; "), issues);
  }
}
