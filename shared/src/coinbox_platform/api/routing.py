"""Routes: what the API serves, declared once and used by dispatch and the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from coinbox_platform.api.app import Call, Reply

_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/v1/loans/{loanId}"
    family: str  # the endpoint function that serves it
    handler: Callable[[Call], Reply]
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


_cache: dict[str, re.Pattern[str]] = {}


def _compiled(template: str) -> re.Pattern[str]:
    pat = _cache.get(template)
    if pat is None:
        regex = (
            "^"
            + _PARAM.sub(
                r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            )
            + "/?$"
        )
        pat = _cache[template] = re.compile(regex)
    return pat


class RouteTable:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, route: Route) -> None:
        for existing in self.routes:
            if existing.method == route.method and existing.template == route.template:
                raise ValueError(f"duplicate route {route.method} {route.template}")
        self.routes.append(route)

    def route(self, method: str, template: str, family: str, **kw: Any) -> Callable[..., Any]:
        """Decorator form: `@table.route("GET", "/v1/loans", "loans", summary=...)`."""

        def register(fn: Callable[[Call], Reply]) -> Callable[[Call], Reply]:
            self.add(Route(method=method, template=template, family=family, handler=fn, **kw))
            return fn

        return register

    def match(
        self, method: str, path: str, family: str | None = None
    ) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, path params, methods allowed on the path). Literal segments win over
        parameters ("/v1/loans/marketplace" before "/v1/loans/{loanId}")."""
        allowed: list[str] = []
        found: tuple[Route, dict[str, str]] | None = None
        candidates = sorted(self.routes, key=lambda r: (len(r.path_params), r.template))
        for route in candidates:
            if family is not None and route.family != family:
                continue
            m = route.pattern.match(path)
            if not m:
                continue
            if route.method not in allowed:
                allowed.append(route.method)
            if route.method == method and found is None:
                found = (route, m.groupdict())
        if found:
            return found[0], found[1], allowed
        return None, {}, allowed


TABLE = RouteTable()
