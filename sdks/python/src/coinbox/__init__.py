"""CoinBox API client: `Coinbox`, `AsyncCoinbox`, typed models, webhook verification.

    from coinbox import Coinbox

    client = Coinbox()  # api_key from COINBOX_API_KEY, base URL from COINBOX_BASE_URL
    for loan in client.loans.list(status="approved"):
        print(loan.id, loan.amount)

Exceptions (coinbox.errors; each APIError carries code, status, request_id, errors and the
raw response):

    CoinboxError
     ├── APIConnectionError
     │    └── APITimeoutError
     ├── APIError
     │    ├── BadRequestError             400
     │    ├── AuthenticationError         401
     │    │    └── APIKeyRevokedError
     │    ├── PermissionDeniedError       403
     │    ├── NotFoundError               404
     │    ├── ConflictError               409
     │    │    └── IdempotencyInFlightError
     │    ├── UnprocessableEntityError    422
     │    │    ├── InsufficientFundsError
     │    │    ├── IdempotencyConflictError
     │    │    └── BatchFailedError
     │    ├── RateLimitError              429
     │    └── InternalServerError         5xx
     │         └── ServiceUnavailableError 503
     ├── WebhookVerificationError
     │    ├── WebhookSignatureError
     │    └── WebhookTimestampError
     └── ExportError

Importing the package is cheap: the clients, httpx and the pydantic models load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coinbox._version import __version__

if TYPE_CHECKING:
    from coinbox import errors, models, webhooks
    from coinbox._client import AsyncCoinbox, Coinbox
    from coinbox._pagination import AsyncPaginator, Page, SyncPaginator
    from coinbox.errors import (
        APIConnectionError,
        APIError,
        APIKeyRevokedError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BatchFailedError,
        CoinboxError,
        ConflictError,
        ExportError,
        IdempotencyConflictError,
        IdempotencyInFlightError,
        InsufficientFundsError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServiceUnavailableError,
        UnprocessableEntityError,
        WebhookSignatureError,
        WebhookTimestampError,
        WebhookVerificationError,
    )

_ERRORS = (
    "APIConnectionError",
    "APIError",
    "APIKeyRevokedError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchFailedError",
    "CoinboxError",
    "ConflictError",
    "ExportError",
    "IdempotencyConflictError",
    "IdempotencyInFlightError",
    "InsufficientFundsError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookVerificationError",
)
_LAZY = {
    "Coinbox": "coinbox._client",
    "AsyncCoinbox": "coinbox._client",
    "Page": "coinbox._pagination",
    "SyncPaginator": "coinbox._pagination",
    "AsyncPaginator": "coinbox._pagination",
    **dict.fromkeys(_ERRORS, "coinbox.errors"),
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIKeyRevokedError",
    "APITimeoutError",
    "AsyncCoinbox",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchFailedError",
    "Coinbox",
    "CoinboxError",
    "ConflictError",
    "ExportError",
    "IdempotencyConflictError",
    "IdempotencyInFlightError",
    "InsufficientFundsError",
    "InternalServerError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "SyncPaginator",
    "UnprocessableEntityError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookVerificationError",
    "__version__",
    "errors",
    "models",
    "webhooks",
]


def __getattr__(name: str) -> Any:
    import importlib

    if name in ("models", "webhooks", "errors"):
        return importlib.import_module(f"coinbox.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coinbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
