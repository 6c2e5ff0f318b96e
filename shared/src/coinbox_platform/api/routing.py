"""Routes: what the API serves, declared once (`call.Route`) and used by dispatch, the OpenAPI
document and the README route table. Importing a family module (api/routes/) adds its routes
to `TABLE`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coinbox_platform.api.call import Call, Reply, Route

__all__ = ["TABLE", "Route", "RouteTable"]


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
