"""OWASP API9:2023 Improper Inventory Management: what the API serves is exactly what its
OpenAPI document says, with no undocumented, debug or old-version endpoints, and every
operation but the public three behind authentication. Held before issue 11."""

from __future__ import annotations

import re

import pytest

from tests.security.helpers import problem, raw

pytestmark = pytest.mark.stack

PUBLIC = {("get", "/v1/health"), ("get", "/v1/openapi.json"), ("get", "/v1/event-types")}


@pytest.fixture(scope="module")
def document() -> dict[str, object]:
    resp = raw("GET", "/openapi.json")
    assert resp.status_code == 200
    return dict(resp.json())


def test_every_documented_operation_is_served_and_guarded(document: dict[str, object]) -> None:
    paths = document["paths"]
    assert isinstance(paths, dict)
    for path, ops in paths.items():
        concrete = re.sub(r"\{[^}]+\}", "probe_id", path).removeprefix("/v1")
        for method, op in ops.items():
            resp = raw(method.upper(), concrete)
            code = resp.json().get("code") if resp.content else None
            assert code != "route_not_found", (method, path)
            if (method, path) in PUBLIC:
                assert op.get("security") == [], path
                continue
            assert op.get("security"), (method, path)
            assert resp.status_code in (401, 429), (method, path, resp.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/debug",
        "/internal/users",
        "/admin",
        "/admin/users",
        "/users",
        "/apiKeys",
        "/idempotencyKeys",
        "/rateLimits",
        "/openapi.yaml",
        "/swagger.json",
        "/v0/loans",
        "/loans/marketplace/all",
    ],
)
def test_nothing_undocumented_is_served(path: str, document: dict[str, object]) -> None:
    problem(raw("GET", path), 404, "route_not_found")
    assert f"/v1{path}" not in document["paths"]  # type: ignore[operator]


def test_dotfiles_are_not_served() -> None:
    resp = raw("GET", "/.env")  # Hosting answers this one itself
    assert resp.status_code == 404 and "API_KEY_PEPPER" not in resp.text


def test_an_old_api_version_is_not_served() -> None:
    from tests.support import SESSION, api_base

    resp = SESSION.get(api_base().removesuffix("/v1") + "/v0/health", timeout=30)
    assert resp.status_code == 404
