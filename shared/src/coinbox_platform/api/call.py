"""What flows through the request pipeline (docs/architecture.md): the declared `Route`, the
`Call` a handler receives, the `Reply` it returns, the `Principal` who is calling and the
`Outcome` the pipeline logs.

A leaf module: it imports only the ground floor (and the user model), so routing, auth,
idempotency, the route families and the request log can all import it without a circle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Generic

from pydantic import BaseModel
from typing_extensions import TypeVar

if TYPE_CHECKING:
    from flask import Request

    from coinbox_platform.domain.models import UserProfile

_PARAM = re.compile(r"\{(\w+)\}")

# What a handler's `Call` carries as its parsed query and body: `Call[LoanListParams]` for a
# route with `query=LoanListParams`, `Call[None, LoanCreate]` for one with `body=LoanCreate`; a
# bare `Call` has neither.
Q = TypeVar("Q", default=None)
B = TypeVar("B", default=None)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (Firebase ID token) or a program (API key)."""

    user: UserProfile
    kind: str  # "session" | "api_key"
    key_id: str | None = None
    scopes: frozenset[str] | None = None  # None: a person, every permission of the role
    api_tier: str | None = None  # the key's effective tier (re-derived from the owner)
    key_expires_at: datetime | None = None  # when the key stops working (expiry or grace)
    tier_ceiling: str | None = None  # the highest API tier the owner may hold (user limits)

    def has_scope(self, scope: str) -> bool:
        if self.scopes is None:
            return True
        kind = scope.partition(":")[0]
        return bool({"*", f"{kind}:*", scope} & self.scopes)


@dataclass(frozen=True)
class Route:
    """One endpoint, declared once: dispatch, the OpenAPI document and the README route table
    are all read from it."""

    method: str
    template: str  # "/v1/loans/{loanId}"
    family: str  # the endpoint function that serves it
    handler: Callable[[Call[Any, Any]], Reply]
    summary: str
    auth: str = "user"  # "none" | "user" | "staff" | "admin"
    scope: str | None = None  # API-key scope, e.g. "read:loans"
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    description: str = ""
    sandbox_only: bool = False
    # Secrets the handler needs beyond the pipeline's (config.Secret values): loaded before
    # the request touches anything, so a function deployed without them fails cleanly.
    secrets: tuple[str, ...] = ()
    # Error codes of the handler's own rules (errors.CODES), beyond what the pipeline answers
    # for every route (bad input, authentication, scope, not found, limits): the OpenAPI
    # document lists them under their status.
    codes: tuple[str, ...] = ()
    # For handlers that parse the body themselves (CSV uploads): what the OpenAPI document
    # shows as the request body, the other media types it accepts, and further success
    # statuses (e.g. 207) with their descriptions.
    documented_body: type[BaseModel] | None = None
    body_media: tuple[str, ...] = ()
    more_statuses: tuple[tuple[int, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.template)

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.template)


@cache
def _compiled(template: str) -> re.Pattern[str]:
    regex = (
        "^"
        + _PARAM.sub(r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        + "/?$"
    )
    return re.compile(regex)


@dataclass
class Call(Generic[Q, B]):
    """What a handler receives: the request, its route and path parameters, who is calling,
    and the parsed query and body (instances of `route.query` and `route.body`, typed by the
    handler's annotation `Call[Query, Body]`)."""

    request: Request
    route: Route
    request_id: str
    now: datetime
    params: dict[str, str]
    query: Q
    body: B
    principal: Principal | None = None

    @property
    def user(self) -> UserProfile:
        assert self.principal is not None
        return self.principal.user

    @property
    def uid(self) -> str:
        assert self.principal is not None
        return str(self.principal.user.id)


@dataclass
class Reply:
    """What a handler returns: a JSON body (or raw bytes, or a stream of chunks for large
    files), a status and extra headers."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"
    stream: Iterator[bytes] | None = None


@dataclass
class Outcome:
    """What the pipeline knows after the handler: for the access log and the request log."""

    request_id: str
    route: str
    method: str
    status: int
    latency_ms: float
    principal: Principal | None
    ip: str | None
    user_agent: str | None
    timestamp: datetime
    error_code: str | None = None
