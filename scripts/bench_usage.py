"""Usage analytics at an enterprise key's volume: 30 days of 100,000 requests a day.

    make bench-usage        (= scripts/stack.py exec -- python scripts/bench_usage.py)

Writes the rollups that 30 days × 100,000 requests a day produce for one API key (720 hour
documents, each the fold of ~4,167 requests over 8 routes with log-normal latencies and a few
errors and refusals, and the 31 day documents they add up to, built by the same `usage` code
the log batches use), then asks
`GET /v1/api-keys/{id}/usage` through Hosting for 30 days at day granularity, the last 7 days
and the last 24 hours at hour granularity. Prints p50/p95 of each question over BENCH_USAGE_N
calls next to GET /v1/health measured in the same run, and the documents each question read.
Goal: the 30-day question in ≤ 300 ms. Only 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_USAGE_N", "20"))
PER_DAY = 100_000
DAYS = 30
ROUTES = [
    ("GET", "/v1/wallet"),
    ("GET", "/v1/loans"),
    ("POST", "/v1/loans"),
    ("GET", "/v1/transactions"),
    ("POST", "/v1/investments"),
    ("GET", "/v1/crypto/orders"),
    ("POST", "/v1/crypto/orders"),
    ("GET", "/v1/me"),
]


def seed(key_id: str, now: datetime) -> int:
    """The rollups of DAYS days of PER_DAY requests a day; returns the requests they hold."""
    from coinbox_platform import store
    from coinbox_platform.access import usage

    rng = random.Random(1)
    per_hour = PER_DAY // 24
    end = usage.hour_of(now) + timedelta(hours=1)
    total = 0
    db = store.db()
    batch = db.batch()
    pending = 0
    hour = end - timedelta(days=DAYS)
    hours: list[usage.Rollup] = []
    while hour < end:
        r = usage.Rollup(key_id, hour)
        for _ in range(per_hour):
            method, route = rng.choice(ROUTES)
            roll = rng.random()
            status = 500 if roll < 0.001 else 429 if roll < 0.01 else 404 if roll < 0.03 else 200
            r.add(
                {
                    "method": method,
                    "route": route,
                    "status": status,
                    "errorCode": "rate_limited" if status == 429 else None,
                    "latencyMs": round(rng.lognormvariate(3.5, 0.6), 3),
                }
            )
        total += r.total.requests
        hours.append(r)
        hour += timedelta(hours=1)
    for r in usage.with_days(hours):
        batch.set(db.collection(usage.ROLLUPS).document(r.doc_id), usage.to_doc(r))
        pending += 1
        if pending == 100:
            batch.commit()
            batch, pending = db.batch(), 0
    if pending:
        batch.commit()
    return total


def docs_read(body: dict[str, object]) -> int:
    """The most rollup documents the question can read: one per bucket of its range."""
    span = timedelta(hours=1) if body["granularity"] == "hour" else timedelta(days=1)
    start = datetime.fromisoformat(str(body["from"]))
    return (datetime.fromisoformat(str(body["to"])) - start) // span


def timed(session: requests.Session, url: str, **kw: object) -> tuple[list[float], object]:
    out, body = [], None
    for _ in range(N):
        t0 = time.perf_counter()
        resp = session.get(url, timeout=60, **kw)  # type: ignore[arg-type]
        out.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
        body = resp.json()
    return out, body


def main() -> int:
    base = os.environ.get("COINBOX_API_BASE", "")
    if not base.startswith("http://127.0.0.1:"):
        sys.exit("bench_usage: run it on the local stack (make bench-usage)")
    from coinbox_platform.clock import iso
    from coinbox_platform.tiers import MembershipTier
    from tests.api.apikey_helpers import create_key
    from tests.support import make_api_user

    user = make_api_user(tier=MembershipTier.BUSINESS)
    key = create_key(user)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    seeded = seed(key["id"], now)
    print(
        f"seeded {seeded:,} requests as {DAYS * 24} hour and {DAYS + 1} day rollups in {time.perf_counter() - t0:.1f} s"
    )

    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {user.token}"
    health, _ = timed(requests.Session(), f"{base}/health")
    questions = [
        ("30 days by day", {"from": iso(now - timedelta(days=30)), "granularity": "day"}),
        ("7 days by hour", {"from": iso(now - timedelta(days=7)), "granularity": "hour"}),
        ("24 hours by hour", {"granularity": "hour"}),
    ]
    print(
        f"{'question':<20} {'p50 ms':>8} {'p95 ms':>8} {'requests counted':>17} {'docs read':>10}"
    )
    print(f"{'GET /v1/health':<20} {statistics.median(health):>8.0f} {sorted(health)[-2]:>8.0f}")
    worst = 0.0
    for name, params in questions:
        lat, body = timed(s, f"{base}/api-keys/{key['id']}/usage", params=params)
        assert isinstance(body, dict)
        p50 = statistics.median(lat)
        worst = max(worst, p50) if name.startswith("30") else worst
        print(
            f"{name:<20} {p50:>8.0f} {sorted(lat)[-2]:>8.0f} "
            f"{body['totals']['requests']:>17,} {'≤ ' + str(docs_read(body)):>10}"
        )
    print(f"30-day question p50: {worst:.0f} ms (goal ≤ 300 ms)")
    return 0 if worst <= 300 else 1


if __name__ == "__main__":
    sys.exit(main())
