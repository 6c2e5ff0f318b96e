"""OWASP API8:2023 Security Misconfiguration: response headers, CORS, error bodies and the audit
trail's client address (issue 11, findings 10 and 16; production origins: tests/unit)."""

from __future__ import annotations

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.access import apikeys
from coinbox_platform.access.requestlog import REQUEST_LOGS
from tests.api.apikey_helpers import create_key
from tests.security.helpers import problem, raw
from tests.support import make_api_user, wait_for

pytestmark = pytest.mark.stack

CSP = "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize(
    "method, path, auth",
    [
        ("GET", "/health", False),
        ("GET", "/openapi.json", False),
        ("GET", "/event-types", False),
        ("GET", "/me", True),
        ("GET", "/wallet", False),  # 401
        ("GET", "/nowhere", True),  # 404
        ("DELETE", "/health", False),  # 405
        ("OPTIONS", "/loans", False),  # preflight
        ("POST", "/loans", True),  # 400
    ],
)
def test_every_response_carries_the_security_headers(method: str, path: str, auth: bool) -> None:
    """Finding 16: nosniff and a restrictive CSP on every API response, errors included."""
    headers = make_api_user().headers() if auth else {}
    resp = raw(method, path, headers=headers | {"Origin": "https://evil.example"})
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", (resp.status_code, path)
    assert resp.headers.get("Content-Security-Policy") == CSP


def test_cors_never_reflects_a_foreign_origin() -> None:
    """Held before issue 11: only the configured portal origins get CORS headers."""
    resp = raw("OPTIONS", "/wallet", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    resp = raw("GET", "/health", headers={"Origin": "null"})
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_errors_reveal_no_internals() -> None:
    """Held before issue 11: malformed input is a problem document, not a traceback."""
    user = make_api_user()
    resp = user.post("/loans", data=b"{not json", headers={"Content-Type": "application/json"})
    body = problem(resp, 400, "invalid_json")
    assert "Traceback" not in resp.text and "File " not in resp.text
    assert set(body) <= {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "requestId",
        "instance",
        "errors",
    }


def test_the_recorded_ip_is_the_trusted_hops_not_the_clients_claim() -> None:
    """Finding 10: X-Forwarded-For was recorded verbatim (anything, a spreadsheet formula
    included). Now the right-most entry (the one Google's front end appends in production),
    and only if it is an IP address."""
    user = make_api_user()
    spoof = '=HYPERLINK("http://evil"), 6.6.6.6, 203.0.113.9'
    resp = user.get("/me", headers={"X-Forwarded-For": spoof})
    assert resp.status_code == 200
    logs = store.db().collection(REQUEST_LOGS)
    # request logs are committed in batches, within requestlog.FLUSH_INTERVAL
    log = wait_for(lambda: (s := logs.document(resp.headers["X-Request-Id"]).get()).exists and s)
    assert log.to_dict()["ip"] == "203.0.113.9"
    resp = user.get("/me", headers={"X-Forwarded-For": "6.6.6.6, =1+1"})
    log = wait_for(lambda: (s := logs.document(resp.headers["X-Request-Id"]).get()).exists and s)
    assert log.to_dict()["ip"] == "127.0.0.1"  # no usable entry: the peer address
    key = create_key(user, headers={"X-Forwarded-For": "=cmd|' /C calc'!A0"})
    events = (
        store.db()
        .collection(apikeys.API_KEY_EVENTS)
        .where(filter=FieldFilter("keyId", "==", key["id"]))
        .stream()
    )
    assert [e.to_dict()["ip"] for e in events] == ["127.0.0.1"]
