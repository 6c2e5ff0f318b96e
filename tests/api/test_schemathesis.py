"""Fuzz the running API from its own OpenAPI document (docs/product.md §9: bad input never gives
a 5xx,
and every answer matches the document).

schemathesis loads GET /v1/openapi.json through Hosting and, for every operation, sends the
document's examples, the coverage phase's boundary and invalid cases, and a few random cases,
as a fresh KYC-verified user with a funded wallet and a real Auth-emulator ID token. Each
response must be no 5xx, have a documented status code and content type, and match the
documented body schema and headers. Bounded: a few examples per operation (about a minute on
2 cores for the whole API).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import api_base, make_api_user

pytestmark = pytest.mark.stack

MAX_EXAMPLES = int(os.environ.get("COINBOX_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def api_schema(stack: str) -> Any:
    user = make_api_user(balance=5_000_000)
    base = api_base()  # http://127.0.0.1:<hosting>/v1
    root = base.removesuffix("/v1")
    config = schemathesis.Config.from_dict(
        {
            "base-url": root,
            "headers": {"Authorization": f"Bearer {user.token}"},
            "request-timeout": 30,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "mode": "all",
                "with-security-parameters": False,
                "no-shrink": True,
                "deterministic": True,
            },
            "phases": {"stateful": {"enabled": False}},
            "checks": {
                "enabled": False,
                **{check.__name__: {"enabled": True} for check in CHECKS},
            },
        }
    )
    return schemathesis.openapi.from_url(f"{base}/openapi.json", config=config, timeout=30)


schema = schemathesis.pytest.from_fixture("api_schema")


def _never_reached_the_api(path: str) -> bool:
    """A path the API's code never sees: a segment with a control character (the functions
    framework's router, werkzeug's `path` converter, does not match a newline) or starting
    with a dot (Hosting treats it as a hidden file). Both answer with their own HTML 404."""
    segments = unquote(path).split("/")
    return any(
        seg.startswith(".") or any(ord(ch) < 32 or ord(ch) == 127 for ch in seg) for seg in segments
    )


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except the HTML 404s of paths that never reach the API (see above);
    anything our pipeline answers carries X-Request-Id, and those are all kept."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    from_api = "x-request-id" in headers
    path = urlsplit(response.request.url).path
    return from_api or response.status_code != 404 or not _never_reached_the_api(path)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_document(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
