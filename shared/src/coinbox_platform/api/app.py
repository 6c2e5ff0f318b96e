"""The request pipeline shared by every endpoint function (docs/architecture.md).

`handle(request, family)` loads the routes of that one family, then `_serve` runs the stages
in this order, each a function below:

   1. request id        a new `req_…` id, echoed in X-Request-Id and every log line
   2. CORS              the portal's origins; a preflight (OPTIONS) ends here
   3. route             match the family's table (404 / 405), check path ids, sandbox-only,
                        load the route's secrets (503 when the function was not given one)
   4. authenticate      Firebase ID token or API key (api/auth.py, access/apikeys.py)
   5. authorise         role and API-key scope
   6. rate limit        per key and owner, per person, or per client IP (access/ratelimit.py)
   7. parse             query and body with pydantic (400 with field errors; api/parsing.py)
   8. idempotency       Idempotency-Key on POST: replay / 409 / 422 (api/idempotency.py)
   9. handler           the route's function: Call in, Reply out
  10. respond           JSON, bytes or a stream; any error as problem+json, a bug as a 500
                        with no internals
  11. log               one structured access line, and the request log of a known caller
                        (access/requestlog.py)

Nothing is registered from elsewhere: every stage is called here.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from coinbox_platform import logs
from coinbox_platform.access import ratelimit, requestlog
from coinbox_platform.api import auth, idempotency
from coinbox_platform.api.call import Call, Outcome, Principal, Reply, Route
from coinbox_platform.api.parsing import (
    MAX_BODY,
    check_path_ids,
    json_bytes,
    parse_json,
    parse_model,
    query_dict,
    read_json_body,
)
from coinbox_platform.api.routes import load
from coinbox_platform.api.routing import TABLE
from coinbox_platform.clientip import request_ip
from coinbox_platform.clock import utcnow
from coinbox_platform.config import settings
from coinbox_platform.errors import (
    CoinboxError,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
    problem_type,
)
from coinbox_platform.ids import new_id

if TYPE_CHECKING:
    from flask import Request, Response
    from pydantic import BaseModel

__all__ = [
    "MAX_BODY",
    "Call",
    "Outcome",
    "Reply",
    "check_path_ids",
    "handle",
    "json_bytes",
    "parse_json",
    "problem",
    "request_ip",
]

log = logging.getLogger("coinbox.api")
# On every response: JSON is never sniffed as HTML, and nothing in it may load or be framed.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def handle(request: Request, family: str | None = None) -> Response:
    """Serve one request for an endpoint family (None: every route, for tests and tools)."""
    load(family)
    started = time.perf_counter()
    request_id = new_id("req")  # stage 1
    with logs.context(request_id, request.headers):
        return _serve(request, family, request_id, started)


def _serve(request: Request, family: str | None, request_id: str, started: float) -> Response:
    from flask import Response

    path = _normalise_path(request.path)
    headers: dict[str, str] = {"X-Request-Id": request_id} | SECURITY_HEADERS
    headers |= _cors_headers(request)  # stage 2
    if request.method == "OPTIONS":
        return Response(status=204, headers=headers | _preflight(request))

    principal: Principal | None = None
    route_template = path
    error_code: str | None = None
    try:
        route, params = _route(request, path, family, headers)  # stage 3
        route_template = route.template
        now = utcnow()
        principal = _authenticate(request, route)  # stage 4
        if principal is not None:
            auth.authorize(principal, route)  # stage 5
        headers |= _rate_limit(principal, request)  # stage 6
        query, body = _parse(route, request)  # stage 7
        call: Call[Any, Any] = Call(
            request=request,
            route=route,
            request_id=request_id,
            now=now,
            params=params,
            query=query,
            body=body,
            principal=principal,
        )
        reply = _run(call, headers)  # stages 8 and 9
        resp = _response(reply, headers)  # stage 10
    except CoinboxError as err:
        error_code = err.code
        headers |= err.headers
        resp = _problem_response(err, request_id, path, headers)
    except Exception:
        log.exception("unhandled error in %s %s", request.method, path)
        error_code = "internal_error"
        internal = CoinboxError(
            "An unexpected error occurred. Quote the requestId to support.", code="internal_error"
        ).with_status(500, "Internal server error")
        resp = _problem_response(internal, request_id, path, headers)

    _log_request(  # stage 11
        Outcome(
            request_id=request_id,
            route=route_template,
            method=request.method,
            status=resp.status_code,
            latency_ms=(time.perf_counter() - started) * 1000,
            principal=principal,
            ip=request_ip(request),
            user_agent=request.headers.get("User-Agent"),
            timestamp=utcnow(),
            error_code=error_code,
        )
    )
    return resp


# ---------------------------------------------------------------- 2. CORS


def _cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("Origin")
    if not origin or origin not in settings().portal_origins:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Vary": "Origin",
        "Access-Control-Expose-Headers": (
            "X-Request-Id, Idempotent-Replayed, Location, Retry-After, X-RateLimit-Limit, "
            "X-RateLimit-Remaining, X-RateLimit-Reset, RateLimit, RateLimit-Policy"
        ),
    }


def _preflight(request: Request) -> dict[str, str]:
    headers = _cors_headers(request)
    if headers:
        headers |= {
            "Access-Control-Allow-Methods": "GET, POST, PATCH, DELETE, OPTIONS",
            "Access-Control-Allow-Headers": (
                "Authorization, Content-Type, Idempotency-Key, X-API-Key, X-Request-Id, "
                "X-Coinbox-Client"  # the SDK's version header (browsers forbid User-Agent)
            ),
            "Access-Control-Max-Age": "3600",
        }
    return headers


# ---------------------------------------------------------------- 3. route


def _normalise_path(path: str) -> str:
    # Direct function URLs carry the function name before /v1 (…/us-central1/loans/v1/loans).
    idx = path.find("/v1/")
    if idx > 0:
        path = path[idx:]
    elif path.endswith("/v1"):
        path = "/v1"
    return path


def _route(
    request: Request, path: str, family: str | None, headers: dict[str, str]
) -> tuple[Route, dict[str, str]]:
    route, params, allowed = TABLE.match(request.method, path, family)
    if route is None:
        if allowed:
            headers["Allow"] = ", ".join(allowed)
            raise CoinboxError(
                f"{request.method} is not allowed here.", code="method_not_allowed"
            ).with_status(405, "Method not allowed")
        raise NotFound(f"No endpoint {request.method} {path}.", code="route_not_found")
    check_path_ids(params, path)
    if route.sandbox_only and not settings().sandbox:
        raise Forbidden("This endpoint is only available in sandbox mode.", code="sandbox_only")
    _load_secrets(route)
    return route, params


def _load_secrets(route: Route) -> None:
    """Read the route's secrets before anything else happens: a function deployed without one
    answers 503 and changes nothing (the cause is logged for the operator)."""
    from coinbox_platform.config import MissingSecret, Secret, secret

    for name in route.secrets:
        try:
            secret(Secret(name))
        except MissingSecret:
            log.exception("route %s %s cannot run", route.method, route.template)
            raise ServiceUnavailable(
                "This endpoint is not available right now; retry later."
            ) from None


# ---------------------------------------------------------------- 4. authenticate


def _authenticate(request: Request, route: Route) -> Principal | None:
    """The caller, or None on a public route."""
    if route.auth == "none":
        return None
    try:
        return auth.authenticate(request, route)
    except Unauthenticated:
        # A failed sign-in is throttled as anonymous traffic of its client IP.
        _rate_limit(None, request)
        raise


# ---------------------------------------------------------------- 6. rate limit


def _rate_limit(principal: Principal | None, request: Request) -> dict[str, str]:
    """One token from every window of the caller's policy (docs/product.md §4.3): the
    RateLimit headers, or 429 with Retry-After."""
    from flask import g

    lim = ratelimit.limiter()
    decision = lim.take_all(ratelimit.policy_for(principal, request_ip(request)))
    g.coinbox_limiter_ops = decision.store_ops  # for the request log (cost measurement)
    headers = decision.headers(lim.now_ms())
    if not decision.allowed:
        refused = decision.tightest
        raise RateLimited(
            f"Rate limit of {refused.window.limit} requests per {refused.window.name} "
            f"reached; retry in {headers['Retry-After']} s.",
            headers=headers,
            extra={
                "limit": refused.window.limit,
                "window": refused.window.name,
                "retryAfter": int(headers["Retry-After"]),
            },
        )
    return headers


# ---------------------------------------------------------------- 7. parse


def _parse(route: Route, request: Request) -> tuple[BaseModel | None, BaseModel | None]:
    """The route's query and body models, parsed (None where the route declares none)."""
    query = body = None
    if route.query is not None:
        query = parse_model(route.query, query_dict(request), "query")
    if route.body is not None:
        body = parse_model(route.body, read_json_body(request), "body")
    return query, body


# ---------------------------------------------------------------- 8-9. idempotency, handler


def _run(call: Call[Any, Any], headers: dict[str, str]) -> Reply:
    if call.request.method == "POST" and call.principal is not None:
        reply, replayed = idempotency.run(call, call.route.handler)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
    else:
        reply = call.route.handler(call)
    headers |= reply.headers
    return reply


# ---------------------------------------------------------------- 10. respond


def _response(reply: Reply, headers: dict[str, str]) -> Response:
    from flask import Response

    if reply.stream is not None:
        return Response(
            reply.stream,
            status=reply.status,
            headers=headers,
            content_type=reply.content_type,
            direct_passthrough=True,
        )
    if reply.raw is not None:
        return Response(
            reply.raw, status=reply.status, headers=headers, content_type=reply.content_type
        )
    if reply.body is None:
        return Response(status=reply.status, headers=headers)
    return Response(
        json_bytes(reply.body),
        status=reply.status,
        headers=headers,
        content_type="application/json",
    )


def problem(err: CoinboxError, request_id: str, instance: str | None = None) -> dict[str, Any]:
    """The RFC 9457 problem document of an error."""
    body: dict[str, Any] = {
        "type": problem_type(err.code),
        "title": err.title,
        "status": err.status,
        "detail": err.detail,
        "code": err.code,
        "requestId": request_id,
    }
    if instance:
        body["instance"] = instance
    if err.errors:
        body["errors"] = [e.to_dict() for e in err.errors]
    body.update(err.extra)
    return body


def _problem_response(
    err: CoinboxError, request_id: str, path: str, headers: dict[str, str]
) -> Response:
    from flask import Response

    return Response(
        json_bytes(problem(err, request_id, path)),
        status=err.status,
        headers=headers,
        content_type="application/problem+json",
    )


# ---------------------------------------------------------------- 11. log


def _log_request(o: Outcome) -> None:
    _log(o)
    # Request logs are per user and key (usage analytics): a request with no principal
    # (anonymous, or a failed sign-in) writes no document, so it cannot amplify writes.
    if o.principal is not None:
        try:
            requestlog.record(o)
        except Exception:  # a request log must never break a response
            log.exception("request log failed")


def _log(o: Outcome) -> None:
    """The request's one access line (Cloud Logging: severity, requestId, trace; docs/deploy.md)."""
    fields = {
        "httpRequest": {
            "requestMethod": o.method,
            "status": o.status,
            "latency": f"{o.latency_ms / 1000:.6f}s",
            "userAgent": o.user_agent,
            "remoteIp": o.ip,
        },
        "route": o.route,
        "status": o.status,
        "latencyMs": round(o.latency_ms, 2),
        "userId": o.principal.user.id if o.principal else None,
        "keyId": o.principal.key_id if o.principal else None,
        "code": o.error_code,
    }
    level = logging.ERROR if o.status >= 500 else logging.INFO
    log.log(level, "%s %s %s", o.method, o.route, o.status, extra={"fields": fields})
