"""The OpenAPI document: valid OpenAPI 3.1, complete (every route, error and header), and
self-contained (every $ref resolves, no pydantic $defs left behind)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Field

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.openapi import build_document, error_statuses
from coinbox_platform.api.routes import load_all
from coinbox_platform.api.routing import TABLE, Route, RouteTable
from coinbox_platform.api.schemas import ApiModel, ListParams

load_all()
DOC = build_document()
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
}


def operations(doc: dict[str, Any] = DOC) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def route_of(method: str, path: str) -> Route:
    return next(r for r in TABLE.routes if r.method == method and r.template == path)


def walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any, Any]]:
    """(location, key, value) for every dict entry of the document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield where, k, v
            yield from walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{where}/{i}")


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOC)
    assert DOC["openapi"].startswith("3.1")
    assert DOC["servers"] == [{"url": "/", "description": "This host (the API is under /v1)."}]
    assert isinstance(DOC["webhooks"], dict)  # filled by webhooks.catalog
    json.dumps(DOC)  # plain JSON, nothing pydantic-specific left


def test_every_route_of_the_table_is_documented_once() -> None:
    documented = {(m, p) for m, p, _ in operations()}
    assert documented == {(r.method, r.template) for r in TABLE.routes}
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))
    for method, path, op in operations():
        route = route_of(method, path)
        assert op["summary"] == route.summary
        assert op["tags"], (method, path)
        if route.description:
            assert route.description.strip() in op["description"]


def test_every_ref_resolves_and_no_defs_are_left() -> None:
    refs = [v for _, k, v in walk(DOC) if k == "$ref"]
    assert refs
    for ref in refs:
        resolve(DOC, ref)
    assert not [where for where, k, _ in walk(DOC) if k == "$defs"]


def test_every_operation_documents_its_errors_as_problems() -> None:
    for method, path, op in operations():
        route = route_of(method, path)
        responses = op["responses"]
        assert str(route.status) in responses
        errors = sorted(int(s) for s in responses if int(s) >= 400)
        assert errors == error_statuses(route)
        assert 500 in errors
        if route.body or route.query or route.path_params:
            assert 400 in errors, (method, path)
        if route.auth != "none":
            assert {401, 429} <= set(errors), (method, path)
        if route.scope:
            assert 403 in errors, (method, path)
        if route.path_params:
            assert 404 in errors, (method, path)
        if method == "POST" and route.auth != "none":
            assert {409, 422} <= set(errors), (method, path)
        for status in errors:
            media = responses[str(status)]["content"]
            assert list(media) == ["application/problem+json"]
            assert (
                deref(DOC, media["application/problem+json"]["schema"])
                is (DOC["components"]["schemas"]["Problem"])
            )


def test_the_problem_schema_has_every_member_the_api_renders() -> None:
    problem = DOC["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code", "requestId"}
    assert {"instance", "errors"} <= set(problem["properties"])
    field_error = deref(DOC, DOC["components"]["schemas"]["ProblemFieldError"])
    assert set(field_error["required"]) == {"field", "message", "code"}


def test_every_operation_documents_its_headers() -> None:
    for method, path, op in operations():
        route = route_of(method, path)
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        if method == "POST":
            key = params[("header", "Idempotency-Key")]
            assert key["schema"]["maxLength"] == 255 and not key["required"]
        else:
            assert ("header", "Idempotency-Key") not in params
        for status, response in op["responses"].items():
            headers = response["headers"]
            assert headers["X-Request-Id"]["required"] is True, (method, path, status)
            if route.auth != "none":
                assert set(headers) >= RATE_LIMIT_HEADERS, (method, path, status)
            if method == "POST" and route.auth != "none":
                assert "Idempotent-Replayed" in headers
            if status in ("429", "503"):
                assert "Retry-After" in headers


def test_parameters_come_from_the_template_and_the_query_model() -> None:
    for method, path, op in operations():
        route = route_of(method, path)
        params = op.get("parameters", [])
        assert [p["name"] for p in params if p["in"] == "path"] == route.path_params
        assert all(p["required"] for p in params if p["in"] == "path")
        if route.query is not None:
            fields = {f.alias or name for name, f in route.query.model_fields.items()}
            assert {p["name"] for p in params if p["in"] == "query"} == fields
            for p in params:
                assert "null" not in json.dumps(p["schema"]), (path, p)  # absent, never null


def test_request_bodies_reference_their_model_with_a_valid_example() -> None:
    for method, path, op in operations():
        route = route_of(method, path)
        body = route.body or route.documented_body
        if body is None:
            assert "requestBody" not in op
            continue
        content = op["requestBody"]["content"]
        media = content["application/json"]
        assert deref(DOC, media["schema"])["properties"], path
        example = media["examples"]["valid"]["value"]
        body.model_validate(example)
        assert set(content) == {"application/json", *route.body_media}


def test_further_success_statuses_are_documented() -> None:
    for method, path, op in operations():
        route = route_of(method, path)
        for status, _ in route.more_statuses:
            assert op["responses"][str(status)]["content"], (path, status)
    bulk = DOC["paths"]["/v1/bulk/investments"]["post"]
    assert {"201", "207"} <= set(bulk["responses"])
    assert "text/csv" in bulk["requestBody"]["content"]


def test_security_names_the_required_scope() -> None:
    schemes = DOC["components"]["securitySchemes"]
    assert schemes["firebaseIdToken"]["scheme"] == "bearer"
    assert schemes["apiKeyBearer"]["scheme"] == "bearer"
    assert (schemes["apiKeyHeader"]["in"], schemes["apiKeyHeader"]["name"]) == (
        "header",
        "X-API-Key",
    )
    for method, path, op in operations():
        route = route_of(method, path)
        if route.auth == "none":
            assert op["security"] == []
            continue
        assert {"firebaseIdToken": []} in op["security"]
        if route.scope:
            assert op["x-required-scope"] == route.scope
            assert f"`{route.scope}`" in op["description"]
            assert {"apiKeyHeader": [route.scope]} in op["security"]


def test_list_and_openapi_routes_are_there() -> None:
    assert "get" in DOC["paths"]["/v1/openapi.json"]
    assert DOC["paths"]["/v1/health"]["get"]["security"] == []


# --- a table of its own: hoisting, naming, examples ------------------------------------------


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Inner(ApiModel):
    colour: Colour
    weight_grams: int = Field(ge=1, le=5000)


class ThingIn(ApiModel):
    name: str = Field(min_length=3, max_length=20, examples=["a thing"])
    inner: Inner
    tags: list[str] = Field(default_factory=list)


class ThingOut(ApiModel):
    id: str
    inner: Inner


class ThingParams(ListParams):
    colour: Colour | None = None


def _handler(call: Call) -> Reply:
    return Reply({})


def _table() -> RouteTable:
    table = RouteTable()

    def add(method: str, template: str, family: str, **kw: Any) -> None:
        table.route(method, template, family, summary=f"{method} {template}", **kw)(_handler)

    add(
        "POST",
        "/v1/things",
        "things",
        body=ThingIn,
        response=ThingOut,
        status=201,
        scope="write:things",
    )
    add("GET", "/v1/things", "things", query=ThingParams, scope="read:things")
    add("GET", "/v1/things/{thingId}", "things", response=ThingOut, errors=(409,))
    add("GET", "/v1/ping", "meta", auth="none")
    return table


def test_defs_are_hoisted_and_shared_between_modes() -> None:
    doc = build_document(_table())
    validate(doc)
    schemas = doc["components"]["schemas"]
    assert {"Colour", "Problem"} <= set(schemas)
    assert not [w for w, k, _ in walk(doc) if k == "$defs"]
    for ref in [v for _, k, v in walk(doc) if k == "$ref"]:
        resolve(doc, ref)
    body = doc["paths"]["/v1/things"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]["valid"]["value"] == {
        "name": "a thing",
        "inner": {"colour": "red", "weightGrams": 100},
    }
    colour = next(
        p for p in doc["paths"]["/v1/things"]["get"]["parameters"] if p["name"] == "colour"
    )
    assert resolve(doc, colour["schema"]["$ref"])["enum"] == ["red", "blue"]


def test_operation_ids_are_unique_when_handlers_share_a_name() -> None:
    doc = build_document(_table())
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert sorted(ids) == ["getThings", "getThingsByThingId", "metaHandler", "postThings"]


def test_operation_ids_prefer_the_handler_then_the_family() -> None:
    def create_order(call: Call) -> Reply:
        return Reply({})

    def list_orders(call: Call) -> Reply:
        return Reply({})

    table = RouteTable()
    table.route("POST", "/v1/crypto/orders", "crypto", summary="c")(create_order)
    table.route("POST", "/v1/bulk/orders", "bulk", summary="b")(create_order)
    table.route("GET", "/v1/crypto/orders", "crypto", summary="l")(list_orders)
    ids = {(m, p): op["operationId"] for m, p, op in operations(build_document(table))}
    assert ids == {
        ("GET", "/v1/crypto/orders"): "listOrders",
        ("POST", "/v1/crypto/orders"): "cryptoCreateOrder",
        ("POST", "/v1/bulk/orders"): "bulkCreateOrder",
    }


def test_route_errors_and_statuses_come_through() -> None:
    doc = build_document(_table())
    get_one = doc["paths"]["/v1/things/{thingId}"]["get"]
    assert {"200", "404", "409", "401"} <= set(get_one["responses"])
    ping = doc["paths"]["/v1/ping"]["get"]
    # Public routes are throttled per client IP too (issue 11, finding 8): 429/503.
    assert sorted(ping["responses"]) == ["200", "429", "500", "503"]
    create = doc["paths"]["/v1/things"]["post"]
    assert "201" in create["responses"] and "200" not in create["responses"]


class NoExample(ApiModel):
    code: str = Field(pattern="^[A-Z]{3}$")


def test_an_example_the_model_rejects_is_left_out() -> None:
    table = RouteTable()
    table.route("POST", "/v1/codes", "codes", summary="c", body=NoExample)(_handler)
    doc = build_document(table)
    media = doc["paths"]["/v1/codes"]["post"]["requestBody"]["content"]["application/json"]
    assert "examples" not in media


def test_the_route_serves_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Flask

    from coinbox_platform.access import ratelimit
    from coinbox_platform.api.app import handle
    from coinbox_platform.config import settings

    # Public routes are rate limited per client IP; no Firestore here, so an in-memory store.
    ratelimit.set_limiter(ratelimit.RateLimiter(ratelimit.MemorySlots()))
    # Outside the emulator the settings (read for the client IP's trusted hops) need the
    # portal's origins, as in production.
    monkeypatch.setenv("PORTAL_ORIGINS", "https://developers.coinbox.example")
    settings.cache_clear()
    app = Flask(__name__)
    try:
        with app.test_request_context("/v1/openapi.json", method="GET"):
            from flask import request

            resp = handle(request, "openapi")  # type: ignore[arg-type]
    finally:
        ratelimit.set_limiter(None)
        settings.cache_clear()
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert resp.headers["X-Request-Id"].startswith("req_")
    assert json.loads(resp.get_data()) == json.loads(json.dumps(DOC))


class Unrelated(BaseModel):
    x: int


def test_a_route_may_add_any_error_status() -> None:
    table = RouteTable()
    table.route("GET", "/v1/odd/{oddId}", "odd", summary="odd", errors=(410,))(_handler)
    doc = build_document(table)
    validate(doc)
    gone = doc["paths"]["/v1/odd/{oddId}"]["get"]["responses"]["410"]
    assert "Gone" in gone["description"]
    assert gone["content"]["application/problem+json"]["example"]["code"] == "gone"
