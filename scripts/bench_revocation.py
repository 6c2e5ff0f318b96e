"""The latency cost of checking ID tokens for revocation (issue 11, finding 5).

Run inside the stack:
    COINBOX_PORT_OFFSET=<n> functions/venv/bin/python scripts/stack.py exec -- \
        functions/venv/bin/python scripts/bench_revocation.py [repetitions]

Times, in this process against the Auth emulator, what the API does per request with an ID
token: the signature and claims check alone (what it did before), the same plus the revocation
lookup (`check_revoked=True`: one Auth `accounts:lookup`), and the API's cached check
(`coinbox_platform.api.auth.verify_id_token`: the lookup once per token per instance per 30 s,
a dictionary hit otherwise). Then the end-to-end latency of GET /v1/me through Hosting with a
token whose check is cached. Prints medians and p95 in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from firebase_admin import auth as fb_auth  # noqa: E402

from coinbox_platform import firebase  # noqa: E402
from coinbox_platform.api import auth  # noqa: E402
from tests.support import make_api_user  # noqa: E402


def timings(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return sorted(out)


def row(name: str, values: list[float]) -> str:
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    return f"| {name} | {len(values)} | {statistics.median(values):.2f} | {p95:.2f} |"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    user = make_api_user()
    app = firebase.app()
    for check in (False, True):  # warm up the SDK and the connection
        fb_auth.verify_id_token(user.token, app=app, check_revoked=check)
    plain = timings(lambda: fb_auth.verify_id_token(user.token, app=app), n)
    revoked = timings(lambda: fb_auth.verify_id_token(user.token, app=app, check_revoked=True), n)
    auth.clear_token_cache()
    auth.verify_id_token(user.token)  # the one lookup of the interval
    cached = timings(lambda: auth.verify_id_token(user.token), n)
    print("| check | n | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(row("signature and claims only (before)", plain))
    print(row("+ revocation lookup, uncached", revoked))
    print(row("+ revocation, cached (the API)", cached))
    lookup = statistics.median(revoked) - statistics.median(plain)
    hit = statistics.median(cached) - statistics.median(plain)
    print(f"\nuncached lookup: +{lookup:.2f} ms per request (p50); cached: {hit:+.2f} ms")
    print(
        "with the 30 s cache an instance pays the lookup once per token per 30 s: at one "
        f"request a second that is +{lookup / 30:.3f} ms per request on average"
    )
    e2e = timings(lambda: user.get("/me").raise_for_status(), min(n, 100))
    print("\n| GET /v1/me through Hosting (cached check) | n | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(row("GET /v1/me", e2e))


if __name__ == "__main__":
    main()
