"""The OpenAPI 3.1 document, generated from the route table and the pydantic models.

Nothing here is written by hand per endpoint: every `Route` in `routing.TABLE` becomes an
operation, with

  path parameters        from the template (`/v1/loans/{loanId}`)
  query parameters       one per field of the route's `query` model
  request body           the `body` model's JSON schema, with an example proven valid by it
  success response       the `response` model (or any JSON / no content)
  error responses        RFC 9457 problem+json, chosen from what the pipeline can answer:
                         400 (any input), 401 (authenticated), 403 (scope, role, sandbox),
                         404 (path parameters), 409/422 (POST with Idempotency-Key),
                         429/503 (always: per key, user or client IP; fail closed), 500 (always),
                         plus the route's own `errors`
  headers                X-Request-Id on every response, Idempotency-Key on every POST,
                         Idempotent-Replayed on POST responses, the rate-limit headers
  security               Firebase ID token or API key (bearer or X-API-Key), with the API-key
                         scope in the requirement, the description and `x-required-scope`

pydantic's `$defs` are hoisted into `components/schemas` (one namespace for every model, so two
routes sharing a model share one schema).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from coinbox_platform import __version__
from coinbox_platform.api.routing import Route, RouteTable

REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"

# ---------------------------------------------------------------------------------------------
# The error shape (rendered by api.app.problem)


class ProblemFieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(examples=["amount"])
    message: str = Field(examples=["must be a positive number of cents"])
    code: str = Field(examples=["invalid"])


class Problem(BaseModel):
    """An RFC 9457 problem: every error answer of the API."""

    # Extension members are allowed, e.g. `requiredScope` on insufficient_scope.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    type: str = Field(
        description="The code's entry in the error catalogue (`/docs/errors#<code>`).",
        examples=["/docs/errors#invalid_request"],
    )
    title: str = Field(examples=["Invalid request"])
    status: int = Field(ge=400, le=599, examples=[400])
    detail: str = Field(examples=["The request body is invalid."])
    code: str = Field(
        description="Stable machine-readable code (invalid_request, not_found, rate_limited, …).",
        examples=["invalid_request"],
    )
    request_id: str = Field(description="Quote it to support.", examples=["req_4fZk2"])
    instance: str | None = Field(None, description="The request path.", examples=["/v1/loans"])
    errors: list[ProblemFieldError] | None = Field(
        None, description="Which fields were wrong, when the input was."
    )


_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Invalid input; `errors` names the fields."),
    401: ("Unauthenticated", "No credentials, or bad ones."),
    403: ("Forbidden", "Authenticated but not allowed (role, API-key scope or tier)."),
    404: ("NotFound", "No such object, or one the caller may not see."),
    405: ("MethodNotAllowed", "The `Allow` header lists the methods."),
    409: ("Conflict", "The object's state, or a request with this Idempotency-Key still running."),
    422: ("Unprocessable", "A business rule refused the request."),
    429: ("RateLimited", "Retry after `Retry-After` seconds."),
    500: ("InternalError", "An unexpected error; quote the `requestId`."),
    503: ("ServiceUnavailable", "A dependency is busy or unreachable; retry after `Retry-After`."),
}

_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "The id of this request (also in every log line and problem body).",
        "schema": {"type": "string", "pattern": "^req_"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored response of an earlier request with the "
        "same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the tightest rate-limit window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the tightest window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "When the tightest window is full again (epoch seconds).",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit": {
        "description": 'IETF RateLimit field, e.g. `"minute";r=9;t=6`.',
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": 'IETF RateLimit-Policy field, e.g. `"minute";q=10;w=60`.',
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Allow": {"description": "The methods this path allows.", "schema": {"type": "string"}},
}
_RATE_LIMIT_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
)

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "firebaseIdToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A person: `Authorization: Bearer <Firebase ID token>`; acts with every "
        "permission of the user's role.",
    },
    "apiKeyBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "cb_live_…",
        "description": "A program: `Authorization: Bearer cb_live_…`; acts as the key's owner, "
        "limited to the key's scopes.",
    },
    "apiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A program: `X-API-Key: cb_live_…` (same as apiKeyBearer).",
    },
}

_AUTH_TEXT = {
    "user": "any signed-in user or API key",
    "staff": "support or admin staff",
    "admin": "admins",
}


# ---------------------------------------------------------------------------------------------
# The document


def build_document(table: RouteTable | None = None) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for `table` (default: every route of every family)."""
    if table is None:
        from coinbox_platform.api.routes import load_all
        from coinbox_platform.api.routing import TABLE

        load_all()
        table = TABLE
    routes = sorted(table.routes, key=lambda r: (r.template, _METHOD_ORDER.get(r.method, 9)))
    schemas, refs = _component_schemas(routes)
    op_ids = _operation_ids(routes)
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    for route in routes:
        op = _operation(route, op_ids[id(route)], schemas, refs)
        paths.setdefault(route.template, {})[route.method.lower()] = op
        tags.update(dict.fromkeys(op["tags"]))
    from coinbox_platform.errors import CODES
    from coinbox_platform.webhooks.catalog import openapi_webhooks

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CoinBox API",
            "version": __version__,
            "summary": "Peer-to-peer lending, investments and crypto trading in ZAR.",
            "description": _INFO_DESCRIPTION,
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/", "description": "This host (the API is under /v1)."}],
        "security": [{name: []} for name in SECURITY_SCHEMES],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "webhooks": openapi_webhooks(),
        "x-coinbox-errors": [
            entry.to_dict() for entry in sorted(CODES.values(), key=lambda e: (e.status, e.code))
        ],
        "components": {
            "schemas": schemas,
            "headers": _HEADERS,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


_INFO_DESCRIPTION = """\
Money is ZAR in integer cents; crypto quantities are decimal strings. Lists are cursor paged
(`limit`, `startingAfter` → `{object, data, hasMore, nextCursor}`). Every POST accepts an
`Idempotency-Key`. Errors are RFC 9457 `application/problem+json` with a stable `code` and the
`requestId`, which every response also carries in `X-Request-Id`."""

_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


def _component_schemas(
    routes: list[Route],
) -> tuple[dict[str, Any], dict[tuple[type[BaseModel], str], dict[str, Any]]]:
    """Every model's JSON schema under components/schemas; (schemas, (model, mode) → $ref)."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Problem, "serialization"): None}
    for r in routes:
        if r.query is not None:
            wanted[(r.query, "validation")] = None
        for body in (r.body, r.documented_body):
            if body is not None:
                wanted[(body, "validation")] = None
        if r.response is not None:
            wanted[(r.response, "serialization")] = None
    keyed, top = models_json_schema(list(wanted), by_alias=True, ref_template=REF)
    schemas: dict[str, Any] = top.get("$defs", {})
    refs: dict[tuple[type[BaseModel], str], dict[str, Any]] = {}
    for (model, mode), ref in keyed.items():
        assert isinstance(model, type) and issubclass(model, BaseModel)
        refs[(model, mode)] = dict(ref)
    return dict(sorted(schemas.items())), refs


def _operation_ids(routes: list[Route]) -> dict[int, str]:
    """camelCase of the handler's name; where two routes would share one: `<family><Handler>`,
    then `<method><Path>`. `extra["operationId"]` overrides."""

    def by_handler(r: Route) -> str:
        return str(r.extra.get("operationId") or _camel(r.handler.__name__))

    def by_family(r: Route) -> str:
        name = by_handler(r)
        return name if "operationId" in r.extra else _camel(r.family) + _upper_first(name)

    def by_path(r: Route) -> str:
        words = r.template.removeprefix("/v1").replace("{", "by_").replace("}", "")
        return str(r.extra.get("operationId") or _camel(f"{r.method.lower()}_{words}"))

    out: dict[int, str] = {}
    pending = list(routes)
    for namer in (by_handler, by_family, by_path):
        names = [namer(r) for r in pending]
        taken = set(out.values())
        clash = {n for n in names if names.count(n) > 1 or n in taken}
        for r, name in zip(pending, names, strict=True):
            if name not in clash:
                out[id(r)] = name
        pending = [r for r in pending if id(r) not in out]
    if pending:
        raise ValueError("duplicate operationId; set extra={'operationId': ...} on a route")
    return out


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[_\W]+", name) if p]
    return parts[0] + "".join(_upper_first(p) for p in parts[1:]) if parts else "op"


def error_statuses(route: Route) -> list[int]:
    """The error statuses `route` can answer (see the module docstring)."""
    return sorted(operation_codes(route))


def operation_codes(route: Route) -> dict[int, list[str]]:
    """The error codes `route` can answer, by status: what the pipeline answers for any route
    like it, the route's own rule codes (`Route.codes`), and the generic code of a status the
    route declares without naming one (errors.CODES has them all)."""
    from coinbox_platform.errors import CODES

    codes: dict[int, list[str]] = {500: ["internal_error"]}

    def add(status: int, *names: str) -> None:
        bucket = codes.setdefault(status, [])
        bucket.extend(n for n in names if n not in bucket)

    has_input = bool(route.body or route.query or route.path_params or route.method == "POST")
    if has_input:
        add(400, "invalid_request")
    if route.body is not None or route.documented_body is not None:
        add(400, "invalid_json", "unsupported_media_type", "payload_too_large")
    # Every request is rate limited (by key, user or client IP); the limiter fails closed.
    add(429, "rate_limited")
    add(503, "service_unavailable")
    if route.auth != "none":
        add(401, "unauthenticated", "invalid_authorization", "invalid_token", "invalid_api_key")
        add(401, "api_key_revoked", "api_key_expired", "account_disabled")
        if route.scope:
            add(403, "insufficient_scope")
        if route.auth in ("staff", "admin"):
            add(403, "forbidden")
    if route.sandbox_only:
        add(403, "sandbox_only")
    if route.path_params:
        add(404, "not_found")
    if route.method == "POST" and route.auth != "none":
        add(409, "idempotency_in_flight", "idempotency_committed")
        add(422, "idempotency_conflict")
    if route.secrets:
        add(503, "service_unavailable")
    for name in route.codes:
        add(CODES[name].status, name)
    for status in route.errors:
        if status not in codes:
            add(status, _error_code(status))
    return {status: codes[status] for status in sorted(codes)}


def _operation(
    route: Route,
    operation_id: str,
    schemas: dict[str, Any],
    refs: dict[tuple[type[BaseModel], str], dict[str, Any]],
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": route.summary,
        "description": _description(route),
        "tags": list(route.tags) or [route.family.capitalize()],
        "x-function": route.family,
    }
    params = [_path_parameter(name) for name in route.path_params]
    if route.query is not None:
        params += _query_parameters(route.query, refs[(route.query, "validation")], schemas)
    if route.method == "POST":
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Makes the POST safe to retry: the same key with the same request "
                "within 24 h replays the stored response; with a different request it is a 422.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    if params:
        op["parameters"] = params
    body = route.body or route.documented_body
    if body is not None:
        op["requestBody"] = _request_body(body, refs[(body, "validation")], schemas)
        for media in route.body_media:
            op["requestBody"]["content"][media] = {"schema": {"type": "string"}}
    if route.auth == "none":
        op["security"] = []
    else:
        scopes = [route.scope] if route.scope else []
        op["security"] = [
            {"firebaseIdToken": []},
            {"apiKeyBearer": scopes},
            {"apiKeyHeader": scopes},
        ]
        if route.scope:
            op["x-required-scope"] = route.scope
    if route.auth in ("staff", "admin"):
        op["x-required-role"] = route.auth
    op["responses"] = _responses(route, refs)
    return op


def _description(route: Route) -> str:
    parts = [route.description.strip()] if route.description.strip() else []
    if route.auth == "none":
        parts.append("**Authentication:** none.")
    else:
        parts.append(f"**Authentication:** {_AUTH_TEXT.get(route.auth, route.auth)}.")
        if route.scope:
            parts.append(f"**Required API-key scope:** `{route.scope}`.")
    if route.sandbox_only:
        parts.append("**Sandbox only.**")
    return "\n\n".join(parts)


def _path_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {name}." if not name.endswith("Id") else f"The {name[:-2]} id.",
        "schema": {"type": "string", "minLength": 1},
    }


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return dict(schemas[ref.rsplit("/", 1)[1]])
    return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch of `X | None`."""
    out = dict(schema)
    any_of = out.get("anyOf")
    if isinstance(any_of, list):
        kept = [s for s in any_of if s != {"type": "null"}]
        if len(kept) != len(any_of):
            del out["anyOf"]
            if len(kept) == 1:
                out = {**kept[0], **out}
            else:
                out["anyOf"] = kept
    if out.get("default", 0) is None:
        del out["default"]
    return out


def _query_parameters(
    model: type[BaseModel], ref: dict[str, Any], schemas: dict[str, Any]
) -> list[dict[str, Any]]:
    schema = _resolve(ref, schemas)
    required = set(schema.get("required", ()))
    out = []
    for name, raw in schema.get("properties", {}).items():
        prop = _without_null(raw)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            param["description"] = description
        if _resolve(prop, schemas).get("type") == "array":
            param |= {"style": "form", "explode": True}
        out.append(param)
    return out


def _request_body(
    model: type[BaseModel], ref: dict[str, Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": ref}
    example = request_example(model, schemas)
    if example is not None:
        media["examples"] = {"valid": {"summary": "A valid request", "value": example}}
    return {"required": True, "content": {"application/json": media}}


def request_example(model: type[BaseModel], schemas: dict[str, Any]) -> Any:
    """An example body for `model`: its own `examples` if it declares some, else one built
    from the fields' examples, defaults and constraints. Only returned if the model accepts it."""
    schema = _resolve({"$ref": REF.format(model=model.__name__)}, schemas) or {}
    candidates = list(schema.get("examples") or [])
    candidates.append(example_value(schema, schemas, depth=0))
    for candidate in candidates:
        try:
            model.model_validate(candidate)
        except ValidationError:
            continue
        return candidate
    return None


def example_value(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for `schema` (examples, enum, default, then constraints)."""
    schema = _resolve(schema, schemas)
    if depth > 6:
        return None
    for key in ("examples", "example"):
        value = schema.get(key)
        if key == "examples" and isinstance(value, list) and value:
            return value[0]
        if key == "example" and value is not None:
            return value
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for combo in ("anyOf", "oneOf", "allOf"):
        branches = [b for b in schema.get(combo, ()) if b != {"type": "null"}]
        if branches:
            return example_value(branches[0], schemas, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        return {
            name: example_value(prop, schemas, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required or "examples" in prop
        }
    if kind == "array":
        item = example_value(schema.get("items", {}), schemas, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "integer":
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return max(int(low), min(100, int(schema.get("maximum", 100))))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2025-01-01T00:00:00Z"
        if fmt == "date":
            return "2025-01-01"
        if fmt == "email":
            return "user@example.com"
        return "x" * max(1, int(schema.get("minLength", 1)))
    return None


def _headers(names: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
    req = set(required)
    out: dict[str, Any] = {}
    for name in names:
        ref = {"$ref": f"#/components/headers/{name}"}
        # A $ref cannot carry `required`; X-Request-Id is inlined as required.
        out[name] = {**_HEADERS[name], "required": True} if name in req else ref
    return out


def _response_headers(route: Route, status: int) -> dict[str, Any]:
    names = ["X-Request-Id"]
    if route.method == "POST" and route.auth != "none":
        names.append("Idempotent-Replayed")
    if route.auth != "none":
        names += _RATE_LIMIT_HEADERS
    if status in (409, 429, 503):
        names.append("Retry-After")
    return _headers(names, required=("X-Request-Id",))


def _problem_response(description: str, status: int, codes: list[str]) -> dict[str, Any]:
    from coinbox_platform.errors import problem_type

    listed = ", ".join(f"[`{c}`](/docs/errors#{c})" for c in codes)
    return {
        "description": f"{description} Codes: {listed}.",
        "x-coinbox-codes": codes,
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": REF.format(model="Problem")},
                "example": {
                    "type": problem_type(codes[0]),
                    "title": HTTPStatus(status).phrase,
                    "status": status,
                    "detail": "What went wrong, for a person to read.",
                    "code": codes[0],
                    "requestId": "req_4fZk2",
                },
            }
        },
    }


def _error_info(status: int) -> tuple[str, str]:
    """(name, description) of an error status; statuses a route adds itself (410, …) get the
    HTTP phrase."""
    if status in _ERRORS:
        return _ERRORS[status]
    phrase = HTTPStatus(status).phrase
    return phrase.replace(" ", ""), f"{phrase} (`{_error_code(status)}`)."


def _error_code(status: int) -> str:
    return _ERROR_CODE.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")


_ERROR_CODE = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "rule_violation",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def _responses(
    route: Route, refs: dict[tuple[type[BaseModel], str], dict[str, Any]]
) -> dict[str, Any]:
    ok: dict[str, Any] = {
        "description": route.summary,
        "headers": _response_headers(route, route.status),
    }
    content_type = str(route.extra.get("responseContentType", "application/json"))
    if route.response is not None:
        ok["content"] = {content_type: {"schema": refs[(route.response, "serialization")]}}
    elif route.status != 204:
        ok["content"] = {content_type: {"schema": {}}}
    out: dict[str, Any] = {str(route.status): ok}
    for status, description in route.more_statuses:
        out[str(status)] = {
            **ok,
            "description": description,
            "headers": _response_headers(route, status),
        }
    for status, codes in operation_codes(route).items():
        description = _error_info(status)[1]
        out[str(status)] = {
            **_problem_response(description, status, codes),
            "headers": _response_headers(route, status),
        }
    return out
