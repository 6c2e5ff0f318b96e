"""The one error hierarchy of the platform.

    CoinboxError                      code, HTTP status, title, detail, field errors
     ├── InvalidRequest      400 invalid_request        bad input (field errors say which)
     ├── Unauthenticated     401 unauthenticated
     ├── Forbidden           403 forbidden              staff-only, missing scope
     ├── NotFound            404 not_found              also for other users' objects
     ├── Conflict            409 conflict               wrong state (loan not open, order taken)
     ├── IdempotencyInFlight 409 idempotency_in_flight
     ├── UnprocessableRule   422 <rule code>            a domain rule refused the request:
     │                                                  insufficient_funds, limit_exceeded,
     │                                                  kyc_required, self_dealing, amount_mismatch…
     ├── IdempotencyConflict 422 idempotency_conflict
     ├── RateLimited         429 rate_limited
     └── ServiceUnavailable  503 service_unavailable

The API layer renders any of them as RFC 9457 problem+json; anything else is a 500 with no
internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}


class CoinboxError(Exception):
    status: int = 400
    code: str = "invalid_request"
    title: str = "Invalid request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors: list[FieldError] = list(errors or [])
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict[str, Any] = dict(extra or {})

    def with_status(self, status: int, title: str) -> CoinboxError:
        """The same error with another HTTP status (405, 500: no subclass of their own)."""
        self.status = status
        self.title = title
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.detail!r})"


class InvalidRequest(CoinboxError):
    status = 400
    code = "invalid_request"
    title = "Invalid request"


class Unauthenticated(CoinboxError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(CoinboxError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(CoinboxError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(CoinboxError):
    status = 409
    code = "conflict"
    title = "Conflict"


class IdempotencyInFlight(CoinboxError):
    status = 409
    code = "idempotency_in_flight"
    title = "A request with this Idempotency-Key is still running"


class UnprocessableRule(CoinboxError):
    """A domain rule refused the request; `code` names the rule."""

    status = 422
    code = "rule_violation"
    title = "Request refused by a business rule"


class IdempotencyConflict(CoinboxError):
    status = 422
    code = "idempotency_conflict"
    title = "Idempotency-Key reused with a different request"


class RateLimited(CoinboxError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"


class ServiceUnavailable(CoinboxError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"


def insufficient_funds(detail: str, field_name: str = "amount") -> UnprocessableRule:
    return UnprocessableRule(
        detail,
        code="insufficient_funds",
        errors=[FieldError(field_name, detail, "insufficient_funds")],
    )


def limit_exceeded(detail: str, field_name: str = "amount") -> UnprocessableRule:
    return UnprocessableRule(
        detail, code="limit_exceeded", errors=[FieldError(field_name, detail, "limit_exceeded")]
    )
