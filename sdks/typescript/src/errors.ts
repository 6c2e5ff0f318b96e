/**
 * One error tree, mapped from the problem+json `code` and the HTTP status:
 *
 *     CoinboxError                      code, status, requestId, errors, detail
 *      ├── APIConnectionError           the request never got an answer (status 0)
 *      │    └── APITimeoutError         ... within timeoutMs
 *      ├── APIError                     an HTTP error answer (problem+json)
 *      │    ├── InvalidRequestError     400
 *      │    ├── AuthenticationError     401
 *      │    ├── PermissionDeniedError   403
 *      │    ├── NotFoundError           404 (also another user's object)
 *      │    ├── ConflictError           409 (wrong state)
 *      │    │    └── IdempotencyInFlightError   409 idempotency_in_flight
 *      │    ├── GoneError               410 (an expired export file)
 *      │    ├── UnprocessableError      422 (a business rule: code says which)
 *      │    │    └── IdempotencyConflictError   422 idempotency_conflict
 *      │    ├── RateLimitError          429 (retryAfterSeconds)
 *      │    └── InternalServerError     5xx
 *      │         └── ServiceUnavailableError    503
 *      └── WebhookVerificationError     a webhook that must not be trusted
 *           ├── WebhookSignatureError   no signature matches the secret(s)
 *           ├── WebhookTimestampError   timestamp older (or newer) than 5 minutes
 *           └── WebhookHeadersError     webhook-id/-timestamp/-signature missing or malformed
 */

/** One field error of a problem (`errors[]`). */
export interface FieldError {
  field: string;
  message: string;
  code: string;
}

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export class CoinboxError extends Error {
  /** The stable problem `code` (e.g. `not_found`, `insufficient_funds`). */
  readonly code: string;
  /** The HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** The request id (problem `requestId` or `X-Request-Id`), to quote to support. */
  readonly requestId: string | null;
  /** Per-field errors (`errors[]` of the problem). */
  readonly errors: FieldError[];
  /** The problem's `detail` (the human explanation). */
  readonly detail: string;

  constructor(
    message: string,
    init: { code: string; status?: number; requestId?: string | null; errors?: FieldError[]; cause?: unknown },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status ?? 0;
    this.requestId = init.requestId ?? null;
    this.errors = init.errors ?? [];
    this.detail = message;
  }
}

export class APIConnectionError extends CoinboxError {
  constructor(message: string, cause?: unknown, code = "connection_error") {
    super(message, { code, cause });
  }
}

export class APITimeoutError extends APIConnectionError {
  constructor(timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms.`, undefined, "timeout");
  }
}

/** An error answer from the API. `problem` is the parsed body; `headers` the response's. */
export class APIError extends CoinboxError {
  readonly problem: Problem;
  readonly headers: Headers;
  readonly title: string;
  readonly type: string | null;

  constructor(status: number, problem: Problem, headers: Headers) {
    const requestId = problem.requestId ?? headers.get("x-request-id");
    const detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
    super(detail, {
      code: problem.code ?? defaultCode(status),
      status,
      requestId,
      errors: Array.isArray(problem.errors) ? problem.errors : [],
    });
    this.problem = problem;
    this.headers = headers;
    this.title = problem.title ?? "";
    this.type = problem.type ?? null;
  }
}

export class InvalidRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class IdempotencyInFlightError extends ConflictError {}
export class GoneError extends APIError {}
export class UnprocessableError extends APIError {}
export class IdempotencyConflictError extends UnprocessableError {}
export class RateLimitError extends APIError {
  /** Seconds until a token is free again (`Retry-After`), when the API said. */
  get retryAfterSeconds(): number | null {
    const value = this.headers.get("retry-after");
    const n = value === null ? NaN : Number(value);
    return Number.isFinite(n) ? n : null;
  }
}
export class InternalServerError extends APIError {}
export class ServiceUnavailableError extends InternalServerError {}

export class WebhookVerificationError extends CoinboxError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { code, cause });
  }
}
export class WebhookSignatureError extends WebhookVerificationError {}
export class WebhookTimestampError extends WebhookVerificationError {}
export class WebhookHeadersError extends WebhookVerificationError {}

function defaultCode(status: number): string {
  return (
    {
      400: "invalid_request",
      401: "unauthenticated",
      403: "forbidden",
      404: "not_found",
      409: "conflict",
      410: "gone",
      422: "rule_violation",
      429: "rate_limited",
      503: "service_unavailable",
    }[status] ?? (status >= 500 ? "internal_error" : "http_error")
  );
}

/** The error class for an answer: by `code` first, then by status. */
export function errorFor(status: number, problem: Problem, headers: Headers): APIError {
  const code = problem.code;
  if (code === "idempotency_in_flight") return new IdempotencyInFlightError(status, problem, headers);
  if (code === "idempotency_conflict") return new IdempotencyConflictError(status, problem, headers);
  switch (status) {
    case 400:
      return new InvalidRequestError(status, problem, headers);
    case 401:
      return new AuthenticationError(status, problem, headers);
    case 403:
      return new PermissionDeniedError(status, problem, headers);
    case 404:
      return new NotFoundError(status, problem, headers);
    case 409:
      return new ConflictError(status, problem, headers);
    case 410:
      return new GoneError(status, problem, headers);
    case 422:
      return new UnprocessableError(status, problem, headers);
    case 429:
      return new RateLimitError(status, problem, headers);
    case 503:
      return new ServiceUnavailableError(status, problem, headers);
  }
  if (status >= 500) return new InternalServerError(status, problem, headers);
  return new APIError(status, problem, headers);
}
