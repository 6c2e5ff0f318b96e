"""Helpers for the API-key, rate-limit and usage tests: keys made through the API and
requests made with them."""

from __future__ import annotations

from typing import Any

import requests

from tests.support import SESSION, ApiUser, api_base


def create_key(user: ApiUser, **body: Any) -> dict[str, Any]:
    headers = body.pop("headers", {})
    body.setdefault("name", "test key")
    resp = user.post("/api-keys", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def with_key(
    secret: str, method: str, path: str, *, header: str = "x-api-key", **kw: Any
) -> requests.Response:
    headers = dict(kw.pop("headers", {}))
    if header == "bearer":
        headers["Authorization"] = f"Bearer {secret}"
    else:
        headers["X-API-Key"] = secret
    return SESSION.request(method, api_base() + path, headers=headers, timeout=60, **kw)


def new_session() -> requests.Session:
    """A session of its own (one per thread in concurrency tests)."""
    s = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=4)
    s.mount("http://", adapter)
    return s
