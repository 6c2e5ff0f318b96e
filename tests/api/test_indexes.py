"""Every query the code runs has its composite index in firestore.indexes.json (docs/product.md §9).

The emulator runs any query without an index, so this test records the queries instead: it
drives every route of the table in-process (api.app.handle with a Flask test request, real
Auth-emulator ID tokens, the real Firestore emulator) — first each POST without path
parameters with its documented example body, to create data, then each GET with no filter,
each filter alone, all filters and a cursor — plus the scheduled sweeps of the domain
services. tests/index_rules.py derives the index each recorded query needs; a missing one
fails the test with the JSON to add.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from coinbox_platform.api.openapi import build_document, example_value
from coinbox_platform.api.routing import TABLE, Route
from coinbox_platform.clock import utcnow
from coinbox_platform.config import settings
from coinbox_platform.tiers import MembershipTier, Role
from tests.index_rules import QueryRecorder, QueryShape, declared, load_indexes, required_index
from tests.support import ApiUser, make_api_user

pytestmark = pytest.mark.stack

APP = Flask(__name__)
SWEEP_PREFIXES = ("expire_", "mark_", "settle_stale", "prune_", "delete_expired", "sweep_")


class Driver:
    def __init__(self, user: ApiUser, staff: ApiUser) -> None:
        self.user, self.staff = user, staff
        self.doc = build_document()
        self.ids: dict[str, list[str]] = {}  # collection path ("/v1/loans") → ids seen
        self.calls: list[tuple[str, str, int]] = []

    def call(self, route: Route, path: str, **kw: Any) -> Any:
        from flask import request

        from coinbox_platform.api.app import handle

        who = self.staff if route.auth in ("staff", "admin") else self.user
        headers = {"Authorization": f"Bearer {who.token}", **kw.pop("headers", {})}
        with APP.test_request_context(path, method=route.method, headers=headers, **kw):
            resp = handle(request)  # type: ignore[arg-type]
        self.calls.append((route.method, path, resp.status_code))
        assert resp.status_code < 500, (route.method, path, resp.get_data(as_text=True)[:500])
        body = resp.get_json(silent=True)
        if resp.status_code < 300 and isinstance(body, dict):
            self._remember(path, body)
        return body

    def _remember(self, path: str, body: dict[str, Any]) -> None:
        objects = body.get("data") if body.get("object") == "list" else [body]
        for obj in objects or []:
            if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                self.ids.setdefault(path.split("?", maxsplit=1)[0], []).append(obj["id"])

    def operation(self, route: Route) -> dict[str, Any]:
        op: dict[str, Any] = self.doc["paths"][route.template][route.method.lower()]
        return op

    def path_for(self, route: Route) -> str | None:
        """The template with real ids: each {param} from the list its prefix names."""
        path = ""
        for segment in route.template.strip("/").split("/"):
            value = segment
            if segment.startswith("{"):
                seen = self.ids.get(path)
                if not seen:
                    return None
                value = seen[0]
            path += "/" + value
        return path

    def create_everything(self) -> None:
        for route in TABLE.routes:
            if route.method != "POST" or route.path_params or route.body is None:
                continue
            media = self.operation(route)["requestBody"]["content"]["application/json"]
            example = media.get("examples", {}).get("valid", {}).get("value")
            if example is not None:
                self.call(route, route.template, json=example)

    def read_everything(self) -> None:
        schemas = self.doc["components"]["schemas"]
        gets = sorted(
            (r for r in TABLE.routes if r.method == "GET"), key=lambda r: len(r.path_params)
        )
        for route in gets:
            path = self.path_for(route)
            if path is None:
                continue
            filters = {
                p["name"]: example_value(p["schema"], schemas)
                for p in self.operation(route).get("parameters", [])
                if p["in"] == "query" and p["name"] not in ("limit", "startingAfter")
            }
            variants: list[dict[str, Any]] = [{}]
            variants += [{k: v} for k, v in filters.items() if v is not None]
            if len(filters) > 1:
                variants.append({k: v for k, v in filters.items() if v is not None})
            for query in variants:
                self.call(route, path, query_string=_qs(query))
            seen = self.ids.get(path)
            if seen and any(
                p["name"] == "startingAfter" for p in self.operation(route).get("parameters", [])
            ):
                self.call(route, path, query_string={"limit": 1, "startingAfter": seen[0]})


def _qs(query: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v) if isinstance(v, bool) else v for k, v in query.items()}


def sweeps() -> Iterator[Any]:
    """The domain's scheduled sweeps (expire_loans, mark_defaults, settle_stale_…)."""
    import coinbox_platform.domain as domain

    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"coinbox_platform.domain.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and name.startswith(SWEEP_PREFIXES):
                params = inspect.signature(fn).parameters
                if all(
                    p.default is not inspect.Parameter.empty or p.name == "now"
                    for p in params.values()
                ):
                    yield fn


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COINBOX_SANDBOX", "1")  # sandbox-only routes (deposits) run too
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_every_query_the_code_runs_has_its_composite_index(sandbox: None) -> None:
    user = make_api_user(balance=5_000_000, tier=MembershipTier.BUSINESS)
    staff = make_api_user(balance=1_000_000, role=Role.ADMIN)
    driver = Driver(user, staff)
    recorder = QueryRecorder()
    with recorder.recording():
        driver.create_everything()
        driver.read_everything()
        for sweep in sweeps():
            sweep(now=utcnow()) if "now" in inspect.signature(sweep).parameters else sweep()

    assert len(driver.calls) >= len([r for r in TABLE.routes if r.method == "GET"])
    needed = [(s, required_index(s)) for s in recorder.shapes]
    composite = [(s, spec) for s, spec in needed if spec is not None]
    assert composite, "the recorder saw no query needing a composite index: is it working?"
    indexes = load_indexes()
    missing: dict[str, tuple[QueryShape, Any]] = {}
    for shape, spec in composite:
        if not declared(spec, indexes):
            missing.setdefault(json.dumps(spec.as_json(), sort_keys=True), (shape, spec))
    report = "\n".join(
        f"- {shape.where}\n  add: {json.dumps(spec.as_json())}" for shape, spec in missing.values()
    )
    assert not missing, f"queries without a composite index in firestore.indexes.json:\n{report}"
