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
internals. Every `code` is registered once in `CODES` below (status, title, meaning, what to
do): the problem `type` (`/docs/errors#<code>`), the OpenAPI document and docs/errors.md come
from it.
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


# ---------------------------------------------------------------------------------------------
# The registry of error codes: every `code` a problem response can carry, once. It drives the
# problem `type` URL (`/docs/errors#<code>`), the OpenAPI document (each operation lists the
# codes it can return; `x-coinbox-errors` holds the catalogue) and docs/errors.md.
# tests/unit/test_error_codes.py fails on a code raised anywhere that is not registered here.

PROBLEM_TYPE_BASE = "/docs/errors"


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    title: str
    description: str  # what it means
    fix: str  # what the caller should do

    @property
    def type_url(self) -> str:
        return f"{PROBLEM_TYPE_BASE}#{self.code}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "title": self.title,
            "description": self.description,
            "fix": self.fix,
            "type": self.type_url,
        }


_CODES = (
    # 400: the request itself
    ErrorCode(
        "invalid_request",
        400,
        "Invalid request",
        "A parameter, query field or body field is missing or malformed.",
        "Read `errors[]`: each entry names the field and what is wrong with it. Fix and resend.",
    ),
    ErrorCode(
        "invalid_json",
        400,
        "Body is not valid JSON",
        "The request body could not be parsed as JSON.",
        "Send a valid JSON document with `Content-Type: application/json`.",
    ),
    ErrorCode(
        "unsupported_media_type",
        400,
        "Unsupported media type",
        "The body's Content-Type is not one the endpoint accepts.",
        "Send `application/json` (bulk endpoints also take `text/csv`).",
    ),
    ErrorCode(
        "payload_too_large",
        400,
        "Body too large",
        "The request body is larger than the endpoint accepts (1 MB).",
        "Send less per request; split a bulk upload into several batches.",
    ),
    ErrorCode(
        "invalid_csv",
        400,
        "Invalid CSV",
        "A bulk CSV upload could not be read: a missing or unknown column, or a malformed row.",
        "Start from `GET /v1/bulk/templates/{kind}` and keep its header row.",
    ),
    ErrorCode(
        "too_many_items",
        400,
        "Too many items",
        "A bulk request holds more items than allowed (20, or 50 message recipients).",
        "Split the items into several bulk requests.",
    ),
    # 401: who is calling
    ErrorCode(
        "unauthenticated",
        401,
        "Authentication required",
        "The request carries no credentials.",
        "Send `Authorization: Bearer <API key or Firebase ID token>` or `X-API-Key`.",
    ),
    ErrorCode(
        "invalid_authorization",
        401,
        "Malformed Authorization header",
        "The Authorization header is not `Bearer <token>`.",
        "Send `Authorization: Bearer <token>`.",
    ),
    ErrorCode(
        "invalid_token",
        401,
        "Invalid ID token",
        "The Firebase ID token is malformed, expired, revoked or for another project.",
        "Sign in again (or refresh the token) and retry with the new ID token.",
    ),
    ErrorCode(
        "account_disabled",
        401,
        "Account disabled",
        "The Firebase account behind the ID token is disabled.",
        "Contact support; a disabled account cannot use the API.",
    ),
    ErrorCode(
        "invalid_api_key",
        401,
        "Invalid API key",
        "The API key is malformed, has a wrong checksum, or is unknown, revoked or expired.",
        "Check the key for typos; create or rotate a key in the developer portal.",
    ),
    ErrorCode(
        "api_key_revoked",
        401,
        "API key revoked",
        "The API key was revoked (or its rotation grace period ended).",
        "Use the key that replaced it, or create a new one.",
    ),
    ErrorCode(
        "api_key_expired",
        401,
        "API key expired",
        "The API key passed its expiry date.",
        "Create or rotate a key; set a longer expiry if the integration needs one.",
    ),
    # 403: what the caller may do
    ErrorCode(
        "forbidden",
        403,
        "Forbidden",
        "The caller may not do this (a staff-only endpoint, or an account that is disabled).",
        "Use an account with the required role.",
    ),
    ErrorCode(
        "insufficient_scope",
        403,
        "API key scope missing",
        "The API key lacks the scope this endpoint needs, or the caller tried to hand out a "
        "scope it does not hold.",
        "Use a key with the scope named in the detail (or create one with it).",
    ),
    ErrorCode(
        "tier_not_allowed",
        403,
        "API tier not allowed",
        "The API tier asked for is above what the account's membership allows.",
        "Ask for a lower tier, or upgrade the membership.",
    ),
    ErrorCode(
        "sandbox_only",
        403,
        "Sandbox only",
        "The endpoint exists only in sandbox mode (test deposits).",
        "Use the sandbox environment; production deposits come from the payment provider.",
    ),
    ErrorCode(
        "self_change",
        403,
        "Cannot change yourself",
        "Staff may not change their own role, tier or KYC status.",
        "Ask another administrator.",
    ),
    # 404, 405
    ErrorCode(
        "not_found",
        404,
        "Not found",
        "No such object, or it belongs to someone else (both answer the same).",
        "Check the id, and that it was created by the same account.",
    ),
    ErrorCode(
        "route_not_found",
        404,
        "No such endpoint",
        "No endpoint has this path.",
        "Check the path against the API reference (paths start with /v1).",
    ),
    ErrorCode(
        "method_not_allowed",
        405,
        "Method not allowed",
        "The path exists but not with this HTTP method.",
        "Use one of the methods in the `Allow` header.",
    ),
    # 409: state
    ErrorCode(
        "conflict",
        409,
        "Conflict",
        "The object is not in a state that allows this.",
        "Fetch the object, check its status, and act on what it is now.",
    ),
    ErrorCode(
        "invalid_state",
        409,
        "Wrong state",
        "The object's current status does not allow this change (a loan already funded, a "
        "withdrawal already settled).",
        "Fetch the object and act on its current status.",
    ),
    ErrorCode(
        "loan_not_open",
        409,
        "Loan not open for funding",
        "The loan is not approved and open (funded, cancelled or expired).",
        "Pick another loan from `GET /v1/loans/marketplace`.",
    ),
    ErrorCode(
        "order_not_open",
        409,
        "Listing not open",
        "The crypto listing was already taken, cancelled or expired.",
        "Pick another listing from the order book.",
    ),
    ErrorCode(
        "already_revoked",
        409,
        "Already revoked",
        "The API key was revoked before.",
        "Nothing to do; create a new key if one is needed.",
    ),
    ErrorCode(
        "endpoint_not_active",
        409,
        "Endpoint not active",
        "The webhook endpoint is paused or disabled.",
        "Set its status to active (`PATCH /v1/webhooks/{id}`) first.",
    ),
    ErrorCode(
        "delivery_pending",
        409,
        "Delivery still pending",
        "The delivery is still being retried automatically.",
        "Wait for it to succeed or fail, then retry it by hand if needed.",
    ),
    ErrorCode(
        "export_not_ready",
        409,
        "Export not ready",
        "The export is still queued or running (or failed).",
        "Poll `GET /v1/exports/{id}` until its status is completed.",
    ),
    ErrorCode(
        "idempotency_in_flight",
        409,
        "Request with this Idempotency-Key still running",
        "Another request with the same Idempotency-Key has not finished.",
        "Retry after a moment with the same key; the SDKs do this for you.",
    ),
    ErrorCode(
        "idempotency_committed",
        409,
        "Request with this Idempotency-Key already committed",
        "The first request with this Idempotency-Key committed its change but never finished "
        "its response (it crashed); it is not run again. `transactionIds` names what it wrote.",
        "Read the ledger entries named in `transactionIds`; do not send the change again.",
    ),
    # 410
    ErrorCode(
        "export_expired",
        410,
        "Export expired",
        "The export file was deleted 24 hours after it was made.",
        "Start a new export.",
    ),
    # 422: business rules
    ErrorCode(
        "rule_violation",
        422,
        "Refused by a business rule",
        "A business rule refused the request; the detail says which.",
        "Read `detail` and `errors[]`, change the request and resend.",
    ),
    ErrorCode(
        "insufficient_funds",
        422,
        "Insufficient funds",
        "The wallet's available balance (or crypto holding) does not cover the amount and fees.",
        "Deposit more, or ask for less.",
    ),
    ErrorCode(
        "limit_exceeded",
        422,
        "Limit exceeded",
        "A tier limit would be exceeded: loan size, active investments, trade size, weekly "
        "volume, open listings, API keys or webhook endpoints.",
        "Stay within the limit in the detail, or upgrade the membership.",
    ),
    ErrorCode(
        "balance_limit_exceeded",
        422,
        "Wallet maximum exceeded",
        "The move would take a wallet above its documented maximum (ZAR balance or crypto "
        "holding; docs/security.md).",
        "Move less, or withdraw first.",
    ),
    ErrorCode(
        "kyc_required",
        422,
        "KYC verification required",
        "The account must be KYC-verified for this (investing).",
        "Complete KYC verification first.",
    ),
    ErrorCode(
        "self_investment",
        422,
        "Cannot fund your own loan",
        "A borrower may not fund their own loan.",
        "Fund another user's loan.",
    ),
    ErrorCode(
        "self_trade",
        422,
        "Cannot take your own listing",
        "A user may not take their own crypto listing.",
        "Cancel it instead, or take another user's listing.",
    ),
    ErrorCode(
        "amount_mismatch",
        422,
        "Amount must match the loan",
        "One investor funds a whole loan: the amount must equal the loan amount.",
        "Send the loan's `amount`.",
    ),
    ErrorCode(
        "overpayment",
        422,
        "Repayment larger than what is owed",
        "The repayment is larger than the loan's outstanding amount.",
        "Repay at most `totalDue - repaid`.",
    ),
    ErrorCode(
        "not_borrower",
        403,
        "Only the borrower can repay",
        "Repayments come from the loan's borrower.",
        "Repay from the borrower's account.",
    ),
    ErrorCode(
        "below_minimum",
        422,
        "Below the minimum",
        "The listing's value is below the minimum of R10.",
        "Raise the quantity or the price.",
    ),
    ErrorCode(
        "unknown_asset",
        400,
        "Unknown asset",
        "The asset is not one of BTC, ETH, USDT, USDC.",
        "Use one of the listed assets.",
    ),
    ErrorCode(
        "too_many_records",
        400,
        "Too many records",
        "More than 100,000 records match the export's filters.",
        "Narrow the filters (a shorter date range, a status).",
    ),
    ErrorCode(
        "batch_failed",
        422,
        "Atomic batch refused",
        "An atomic bulk request had at least one invalid item, so nothing was written.",
        "Fix the items named in `errors[]` (by index and field) and resend the whole batch.",
    ),
    ErrorCode(
        "idempotency_conflict",
        422,
        "Idempotency-Key reused with a different request",
        "The Idempotency-Key was used before, within 24 hours, with a different request.",
        "Use a new key for a new request.",
    ),
    # 429, 5xx
    ErrorCode(
        "rate_limited",
        429,
        "Too many requests",
        "A rate limit of the key, the user or the client address was reached.",
        "Wait `Retry-After` seconds; spread requests using the `RateLimit` headers.",
    ),
    ErrorCode(
        "internal_error",
        500,
        "Internal server error",
        "Something unexpected failed on our side; nothing is half-done.",
        "Retry with the same Idempotency-Key; if it persists, quote the requestId to support.",
    ),
    ErrorCode(
        "service_unavailable",
        503,
        "Service unavailable",
        "A dependency is busy or unreachable (the data store, the task queue, the limiter).",
        "Retry after `Retry-After` seconds with the same Idempotency-Key.",
    ),
)
CODES: dict[str, ErrorCode] = {c.code: c for c in _CODES}


def error_code(code: str) -> ErrorCode:
    """The registered code (KeyError for one that is not registered: a bug the tests catch)."""
    return CODES[code]


def problem_type(code: str) -> str:
    """The problem `type` of `code`: its entry in the error catalogue (a relative reference,
    resolved against the API's own host, which serves the docs)."""
    entry = CODES.get(code)
    return entry.type_url if entry else f"{PROBLEM_TYPE_BASE}#{code}"
