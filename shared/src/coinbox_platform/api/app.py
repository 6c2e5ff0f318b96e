"""The request pipeline shared by every endpoint function.

handle(request, family)
  request id, CORS preflight
  → match a route of the family (404 / 405)
  → authenticate (Firebase ID token or API key) and check role and scope
  → rate limit (hook)
  → parse path, query and body with pydantic (400 with field errors)
  → Idempotency-Key for POST (replay / 409 / 422)
  → the handler
  → problem+json for any error, 500 with no internals for a bug
  → X-Request-Id, CORS and rate-limit headers, one structured log line, request-log hook
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from coinbox_platform import logs
from coinbox_platform.clock import utcnow
from coinbox_platform.config import settings
from coinbox_platform.errors import (
    CoinboxError,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
    problem_type,
)
from coinbox_platform.ids import new_id

if TYPE_CHECKING:
    from flask import Request, Response

    from coinbox_platform.api.auth import Principal
    from coinbox_platform.api.routing import Route

log = logging.getLogger("coinbox.api")
MAX_BODY = 1_000_000
MAX_JSON_DEPTH = 32  # arrays and objects nested deeper than this are refused (400)
# On every response: JSON is never sniffed as HTML, and nothing in it may load or be framed.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
# A path id is ours only if it could be: 1-128 of [A-Za-z0-9_-], and never a name Firestore
# reserves (__name__, __x__); anything else is a 404 before any Firestore call.
PATH_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
RESERVED_ID = re.compile(r"^__.*__$")


@dataclass
class Call:
    """What a handler receives."""

    request: Request
    route: Route
    request_id: str
    now: datetime
    params: dict[str, str]
    principal: Principal | None = None
    query: Any = None
    body: Any = None

    @property
    def user(self) -> Any:
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
    """What the pipeline knows after the handler: for the request log and the metrics."""

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


# Hooks that later layers plug in (API keys, rate limits, request logs).
Authenticator = Callable[["Request", "Route"], "Principal | None"]
RateLimiter = Callable[["Principal | None", "Request", "Route"], dict[str, str]]
OutcomeSink = Callable[[Outcome], None]

authenticators: list[Authenticator] = []
rate_limiters: list[RateLimiter] = []
outcome_sinks: list[OutcomeSink] = []


def request_ip(request: Request) -> str | None:
    """The client's IP from the platform's trusted hop (coinbox_platform.clientip)."""
    from coinbox_platform.clientip import client_ip

    return client_ip(request.headers.get("X-Forwarded-For"), request.remote_addr)


# What a family calls the object a path parameter names: a refused id gets the same answer as
# an unknown one ("No transaction __name__.").
NOT_FOUND_LABELS = {
    "loanId": "loan",
    "investmentId": "investment",
    "transactionId": "transaction",
    "orderId": "order",
    "messageId": "message",
    "webhookId": "webhook endpoint",
    "deliveryId": "delivery",
    "keyId": "API key",
    "exportId": "export",
    "batchId": "bulk batch",
    "eventId": "event",
    "uid": "user",
    "asset": "asset",
}


def check_path_ids(params: dict[str, str], path: str) -> None:
    """Every path parameter must be an id we could have issued (404 otherwise, worded as for
    an unknown id), so a reserved or malformed name never reaches Firestore."""
    for name, value in params.items():
        if not PATH_ID.match(value) or RESERVED_ID.match(value):
            if name == "kind":
                raise NotFound(f"No template {value}; choose loans, investments or crypto-orders.")
            raise NotFound(f"No {NOT_FOUND_LABELS.get(name, 'object')} {value}.")


def _json_depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def parse_json(raw: bytes) -> Any:
    """The JSON of a request body, or 400 invalid_json: malformed, or nested deeper than
    MAX_JSON_DEPTH (a deeply nested body must never reach a recursive parser or validator)."""
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise _too_deep() from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(
            "The request body is not valid JSON.",
            code="invalid_json",
            errors=[FieldError("body", str(exc)[:200], "invalid_json")],
        ) from exc
    if not _json_depth_ok(data, MAX_JSON_DEPTH):
        raise _too_deep()
    return data


def _too_deep() -> InvalidRequest:
    return InvalidRequest(
        f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.",
        code="invalid_json",
        errors=[FieldError("body", f"at most {MAX_JSON_DEPTH} levels of nesting", "too_deep")],
    )


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def problem(err: CoinboxError, request_id: str, instance: str | None = None) -> dict[str, Any]:
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


def validation_errors(exc: ValidationError, location: str) -> list[FieldError]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or location
        out.append(FieldError(loc, e["msg"], e["type"]))
    return out


def parse_model(model: type[BaseModel], data: Any, location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(
            f"The request {location} is invalid.", errors=validation_errors(exc, location)
        ) from exc


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


def _read_json_body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise InvalidRequest("The request body is too large.", code="payload_too_large")
    if not raw.strip():
        return {}
    mimetype = request.mimetype or ""
    if mimetype not in ("application/json", "") and not mimetype.endswith("+json"):
        raise InvalidRequest(
            "Send the body as application/json.",
            code="unsupported_media_type",
            errors=[FieldError("Content-Type", f"got {mimetype}", "unsupported_media_type")],
        )
    return parse_json(raw)


def _query_dict(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def _normalise_path(path: str) -> str:
    # Direct function URLs carry the function name before /v1 (…/us-central1/loans/v1/loans).
    idx = path.find("/v1/")
    if idx > 0:
        path = path[idx:]
    elif path.endswith("/v1"):
        path = "/v1"
    return path


def handle(request: Request, family: str | None = None) -> Response:
    """Serve one request for an endpoint family (None: every route, for tests and tools)."""
    from coinbox_platform.api.routes import load_all

    load_all()
    started = time.perf_counter()
    request_id = new_id("req")
    with logs.context(request_id, request.headers):
        return _serve(request, family, request_id, started)


def _serve(request: Request, family: str | None, request_id: str, started: float) -> Response:
    from flask import Response

    from coinbox_platform.api import auth, idempotency
    from coinbox_platform.api.routing import TABLE

    path = _normalise_path(request.path)
    headers: dict[str, str] = {"X-Request-Id": request_id} | SECURITY_HEADERS
    headers |= _cors_headers(request)
    principal: Principal | None = None
    route_template = path
    error_code: str | None = None

    if request.method == "OPTIONS":
        resp = Response(status=204, headers=headers | _preflight(request))
        return resp

    try:
        route, params, allowed = TABLE.match(request.method, path, family)
        if route is None:
            if allowed:
                headers["Allow"] = ", ".join(allowed)
                raise CoinboxError(
                    f"{request.method} is not allowed here.", code="method_not_allowed"
                ).with_status(405, "Method not allowed")
            raise NotFound(f"No endpoint {request.method} {path}.", code="route_not_found")
        route_template = route.template
        check_path_ids(params, path)
        if route.sandbox_only and not settings().sandbox:
            raise Forbidden("This endpoint is only available in sandbox mode.", code="sandbox_only")
        _load_secrets(route)
        call = Call(
            request=request, route=route, request_id=request_id, now=utcnow(), params=params
        )
        if route.auth != "none":
            try:
                principal = auth.authenticate(request, route)
            except Unauthenticated:
                # A failed sign-in is throttled as anonymous traffic of its client IP.
                for limiter in rate_limiters:
                    limiter(None, request, route)
                raise
            call.principal = principal
            auth.authorize(principal, route)
        for limiter in rate_limiters:
            headers |= limiter(principal, request, route)
        if route.query is not None:
            call.query = parse_model(route.query, _query_dict(request), "query")
        if route.body is not None:
            call.body = parse_model(route.body, _read_json_body(request), "body")
        if request.method == "POST" and principal is not None:
            reply, replayed = idempotency.run(call, route.handler)
            if replayed:
                headers["Idempotent-Replayed"] = "true"
        else:
            reply = route.handler(call)
        headers |= reply.headers
        if reply.stream is not None:
            resp = Response(
                reply.stream,
                status=reply.status,
                headers=headers,
                content_type=reply.content_type,
                direct_passthrough=True,
            )
        elif reply.raw is not None:
            resp = Response(
                reply.raw, status=reply.status, headers=headers, content_type=reply.content_type
            )
        elif reply.body is None:
            resp = Response(status=reply.status, headers=headers)
        else:
            resp = Response(
                json_bytes(reply.body),
                status=reply.status,
                headers=headers,
                content_type="application/json",
            )
    except CoinboxError as err:
        error_code = err.code
        headers |= err.headers
        resp = Response(
            json_bytes(problem(err, request_id, path)),
            status=err.status,
            headers=headers,
            content_type="application/problem+json",
        )
    except Exception:
        log.exception("unhandled error in %s %s", request.method, path)
        error_code = "internal_error"
        internal = CoinboxError(
            "An unexpected error occurred. Quote the requestId to support.", code="internal_error"
        ).with_status(500, "Internal server error")
        resp = Response(
            json_bytes(problem(internal, request_id, path)),
            status=500,
            headers=headers,
            content_type="application/problem+json",
        )

    outcome = Outcome(
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
    _log(outcome)
    # Request logs are per user and key (usage analytics): a request with no principal
    # (anonymous, or a failed sign-in) writes no document, so it cannot amplify writes.
    for sink in outcome_sinks if principal is not None else ():
        try:
            sink(outcome)
        except Exception:  # a log sink must never break a response
            log.exception("outcome sink failed")
    return resp


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
