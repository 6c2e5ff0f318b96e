"""Helpers for the OWASP API Top 10 suite: black-box requests as an attacker sends them.

Requests go through Hosting (`api_base()`), or straight to an endpoint function
(`function_url`) where a test needs to act as a distinct client: the local stack has no front
end that appends to X-Forwarded-For, so there the right-most entry (the one production trusts,
coinbox_platform.clientip) is what the test sends.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

import requests

from tests.support import SESSION, ApiUser, api_base


def problem(resp: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status (and code); return its body."""
    assert resp.status_code == status, f"{resp.status_code} {resp.text[:500]}"
    assert resp.headers["Content-Type"].startswith("application/problem+json"), resp.headers
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


def function_url(family: str, path: str) -> str:
    """`/v1…` of an endpoint function, called directly (not through Hosting)."""
    base = os.environ["COINBOX_FUNCTIONS_BASE"]
    return f"{base}/{family}/v1{path}"


def fresh_ip() -> str:
    """A fresh documentation address (RFC 5737 TEST-NET-3, 203.0.113.0/24 has too few):
    198.18.0.0/15 is benchmarking space, so each test run gets its own client address."""
    n = secrets.randbelow(2**17 - 2) + 1
    return f"198.{18 + (n >> 16)}.{(n >> 8) & 0xFF}.{n & 0xFF}"


def raw(method: str, path: str, **kw: Any) -> requests.Response:
    """A request through Hosting with no credentials of ours, from a client address of its
    own (anonymous traffic is throttled per client IP; the suite should not share one)."""
    headers = {"X-Forwarded-For": fresh_ip()} | dict(kw.pop("headers", {}) or {})
    return SESSION.request(method, api_base() + path, headers=headers, timeout=60, **kw)


def as_user(user: ApiUser, method: str, path: str, **kw: Any) -> requests.Response:
    headers = user.headers(**kw.pop("headers", {}))
    return SESSION.request(method, api_base() + path, headers=headers, timeout=60, **kw)
