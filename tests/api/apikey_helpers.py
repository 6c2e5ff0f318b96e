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


def warm_up(path: str, concurrency: int, step: int = 10) -> None:
    """Let the functions emulator start `concurrency` workers for the function behind `path`
    a few at a time (it starts one per concurrent request; starting 100 at once on two cores
    makes many fail to load). Unauthenticated requests: answered (401) without Firestore."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    level = min(step, concurrency)
    while True:
        for _attempt in range(3):
            barrier = threading.Barrier(level)

            def one(_: int, barrier: threading.Barrier = barrier) -> int:
                barrier.wait()
                try:
                    return SESSION.get(api_base() + path, timeout=120).status_code
                except requests.RequestException:
                    return 599

            with ThreadPoolExecutor(max_workers=level) as pool:
                codes = list(pool.map(one, range(level)))
            if all(c < 500 for c in codes):
                break
        if level >= concurrency:
            return
        level = min(concurrency, level + step)
