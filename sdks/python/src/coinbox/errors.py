"""The SDK's exceptions: one tree, mapped from the problem+json `code` and the HTTP status.

    CoinboxError
     ├── APIConnectionError               the request never got an answer
     │    └── APITimeoutError
     ├── APIError                         the API answered with a problem (RFC 9457)
     │    ├── BadRequestError             400  invalid_request, invalid_json, invalid_csv, …
     │    ├── AuthenticationError         401  unauthenticated, invalid_api_key, …
     │    │    └── APIKeyRevokedError          api_key_revoked, api_key_expired
     │    ├── PermissionDeniedError       403  forbidden, insufficient_scope, kyc_required, …
     │    ├── NotFoundError               404
     │    ├── ConflictError               409  conflict, invalid_state, …
     │    │    └── IdempotencyInFlightError    idempotency_in_flight (retried automatically)
     │    ├── UnprocessableEntityError    422  rule_violation and the business-rule codes
     │    │    ├── InsufficientFundsError      insufficient_funds
     │    │    ├── IdempotencyConflictError    idempotency_conflict (same key, other body)
     │    │    └── BatchFailedError            batch_failed (an atomic bulk batch: `.batch`)
     │    ├── RateLimitError              429  rate_limited (`.retry_after`)
     │    └── InternalServerError         5xx
     │         └── ServiceUnavailableError     503
     ├── WebhookVerificationError         coinbox.webhooks.verify refused a delivery
     │    ├── WebhookSignatureError            no signature matches the secret
     │    └── WebhookTimestampError            webhook-timestamp too old or in the future
     └── ExportError                      an export failed, expired or its sha256 differs

Every APIError carries `status`, `code`, `request_id`, `errors` (the per-field
`ProblemFieldError`s), `problem` (the whole body as a dict) and `response` (the httpx.Response).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class FieldError:
    """One invalid field of a request, as the problem's `errors[]` names it."""

    field: str
    message: str
    code: str


class CoinboxError(Exception):
    """Base of every exception the SDK raises."""


class APIConnectionError(CoinboxError):
    """No answer: the connection failed or broke (after the configured retries)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (after the configured retries)."""


class APIError(CoinboxError):
    """The API answered with an error (problem+json)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str,
        request_id: str | None,
        errors: list[FieldError],
        problem: dict[str, Any],
        response: httpx.Response | None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.errors = errors
        self.problem = problem
        self.response = response

    def __str__(self) -> str:
        text = f"{self.status} {self.code}: {self.message}"
        if self.errors:
            text += " (" + "; ".join(f"{e.field}: {e.message}" for e in self.errors) + ")"
        if self.request_id:
            text += f" [request {self.request_id}]"
        return text


class BadRequestError(APIError):
    pass


class AuthenticationError(APIError):
    pass


class APIKeyRevokedError(AuthenticationError):
    pass


class PermissionDeniedError(APIError):
    pass


class NotFoundError(APIError):
    pass


class ConflictError(APIError):
    pass


class IdempotencyInFlightError(ConflictError):
    pass


class UnprocessableEntityError(APIError):
    pass


class InsufficientFundsError(UnprocessableEntityError):
    pass


class IdempotencyConflictError(UnprocessableEntityError):
    pass


class BatchFailedError(UnprocessableEntityError):
    """An atomic bulk batch wrote nothing; `batch` is the per-item result (BulkResultOut)."""

    @property
    def batch(self) -> dict[str, Any] | None:
        value = self.problem.get("batch")
        return value if isinstance(value, dict) else None


class RateLimitError(APIError):
    @property
    def retry_after(self) -> float | None:
        """Seconds until a token is free (the Retry-After header), if the API said."""
        if self.response is None:
            return None
        value = self.response.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class InternalServerError(APIError):
    pass


class ServiceUnavailableError(InternalServerError):
    pass


class WebhookVerificationError(CoinboxError):
    """A webhook delivery could not be verified: do not trust its body."""


class WebhookSignatureError(WebhookVerificationError):
    pass


class WebhookTimestampError(WebhookVerificationError):
    pass


class ExportError(CoinboxError):
    """An export failed or expired, or its file does not match the recorded sha256."""


_BY_CODE: dict[str, type[APIError]] = {
    "api_key_revoked": APIKeyRevokedError,
    "api_key_expired": APIKeyRevokedError,
    "idempotency_in_flight": IdempotencyInFlightError,
    "insufficient_funds": InsufficientFundsError,
    "idempotency_conflict": IdempotencyConflictError,
    "batch_failed": BatchFailedError,
}
_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: BadRequestError,
    409: ConflictError,
    413: BadRequestError,
    415: BadRequestError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_class(status: int, code: str) -> type[APIError]:
    """The exception class for a problem: its code if the SDK knows it, else its status."""
    cls = _BY_CODE.get(code)
    if cls is not None and issubclass(cls, _BY_STATUS.get(status, APIError)):
        return cls
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return InternalServerError if status >= 500 else APIError


def from_response(response: httpx.Response) -> APIError:
    """The exception for an error answer (problem+json, or anything a proxy sent instead)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    problem: dict[str, Any] = body if isinstance(body, dict) else {}
    status = response.status_code
    code = str(problem.get("code") or f"http_{status}")
    message = str(problem.get("detail") or problem.get("title") or response.reason_phrase or "")
    raw_errors = problem.get("errors")
    errors = [
        FieldError(str(e.get("field", "")), str(e.get("message", "")), str(e.get("code", "")))
        for e in (raw_errors if isinstance(raw_errors, list) else [])
        if isinstance(e, dict)
    ]
    request_id = problem.get("requestId") or response.headers.get("x-request-id")
    return error_class(status, code)(
        message or f"HTTP {status}",
        status=status,
        code=code,
        request_id=str(request_id) if request_id else None,
        errors=errors,
        problem=problem,
        response=response,
    )
