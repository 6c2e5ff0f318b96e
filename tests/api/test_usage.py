"""Usage analytics (docs/product.md §4.4): the numbers equal the requests the test made."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.access.usage import reported
from coinbox_platform.clock import iso
from tests.api.apikey_helpers import create_key, with_key
from tests.support import make_api_user, wait_for_logs

pytestmark = pytest.mark.stack


def _nearest_rank(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(1, math.ceil(p / 100 * len(values))) - 1]


def test_usage_counts_what_the_key_did() -> None:
    user = make_api_user()
    key = create_key(user)
    secret, key_id = key["secret"], key["id"]
    start = datetime.now(UTC) - timedelta(seconds=5)
    made: Counter[tuple[str, int]] = Counter()
    for _ in range(3):  # scope refused: 403, no token spent
        made[("GET /v1/api-keys", with_key(secret, "GET", "/api-keys").status_code)] += 1
    began = time.monotonic()
    for _ in range(12):  # ten tokens a minute: 10 × 200, then 429s
        made[("GET /v1/me", with_key(secret, "GET", "/me").status_code)] += 1
    took = time.monotonic() - began
    # The bucket refills one token every 6 s: a slow machine may see one more admitted.
    admitted, refused = made[("GET /v1/me", 200)], made[("GET /v1/me", 429)]
    assert 10 <= admitted <= 10 + math.ceil(took / 6) and admitted + refused == 12, (made, took)
    assert made[("GET /v1/api-keys", 403)] == 3 and len(made) == 3
    # someone else's traffic and the owner's own session traffic are not this key's usage
    other = make_api_user()
    with_key(create_key(other)["secret"], "GET", "/me")
    user.get("/me")

    wait_for_logs("keyId", key_id, 15)  # logs are committed in batches (requestlog.py)
    end = datetime.now(UTC) + timedelta(seconds=5)
    resp = user.get(
        f"/api-keys/{key_id}/usage",
        params={"from": iso(start), "to": iso(end), "granularity": "hour"},
    )
    assert resp.status_code == 200, resp.text
    usage = resp.json()
    totals = usage["totals"]
    assert totals["requests"] == 15
    assert totals["byStatusClass"] == {"2xx": admitted, "3xx": 0, "4xx": 3 + refused, "5xx": 0}
    assert totals["rateLimited"] == refused
    by_route = {r["route"]: r for r in usage["byRoute"]}
    assert by_route["GET /v1/me"]["requests"] == 12
    assert by_route["GET /v1/me"]["rateLimited"] == refused
    assert by_route["GET /v1/api-keys"]["byStatusClass"]["4xx"] == 3
    assert sum(p["requests"] for p in usage["series"]) == 15
    assert all(p["start"] < p["end"] for p in usage["series"])
    # the latency figures are those of the logged requests
    logs: list[dict[str, Any]] = [
        d.to_dict() or {}
        for d in store.db()
        .collection("apiRequestLogs")
        .where(filter=FieldFilter("keyId", "==", key_id))
        .stream()
    ]
    assert len(logs) == 15
    for log in logs:
        assert log["userId"] == user.uid and log["ip"] and log["requestId"].startswith("req_")
        assert log["expireAt"] - log["timestamp"] == timedelta(days=90)
    # p50/p95 are the histogram buckets (usage.py) of the exact nearest-rank latencies
    lat = [float(d["latencyMs"]) for d in logs]
    assert totals["latencyMs"]["p50"] == reported(_nearest_rank(lat, 50))
    assert totals["latencyMs"]["p95"] == reported(_nearest_rank(lat, 95))
    # the range counted is the whole hours covering the one asked for
    counted_from = datetime.fromisoformat(usage["from"])
    counted_to = datetime.fromisoformat(usage["to"])
    assert counted_from <= start and counted_to >= end
    assert counted_from.minute == counted_from.second == 0 and counted_to.minute == 0
    assert counted_to - counted_from <= end - start + timedelta(hours=2)
    # read from the key's hourly rollups, not from the 15 logs
    rollups = [
        r.to_dict() or {}
        for r in store.db()
        .collection("apiUsageRollups")
        .where(filter=FieldFilter("keyId", "==", key_id))
        .stream()
    ]
    for span in ("hour", "day"):  # the hour (or two) and the day (or two) of the requests
        mine = [r for r in rollups if r["span"] == span]
        assert 1 <= len(mine) <= 2 and sum(r["requests"] for r in mine) == 15

    daily = user.get(f"/api-keys/{key_id}/usage", params={"granularity": "day"}).json()
    assert daily["totals"]["requests"] == 15 and len(daily["series"]) in (30, 31)


def test_usage_is_private_and_validates_its_range() -> None:
    user = make_api_user()
    key = create_key(user)
    other = make_api_user()
    assert other.get(f"/api-keys/{key['id']}/usage").status_code == 404
    bad = user.get(
        f"/api-keys/{key['id']}/usage",
        params={"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "invalid_range"
    long = user.get(
        f"/api-keys/{key['id']}/usage",
        params={"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
    )
    assert long.status_code == 400 and long.json()["errors"][0]["code"] == "range_too_long"
    naive = user.get(f"/api-keys/{key['id']}/usage", params={"from": "2026-01-01T00:00:00"})
    assert naive.status_code == 400
    empty = user.get(f"/api-keys/{key['id']}/usage").json()
    assert empty["totals"]["requests"] == 0 and empty["totals"]["latencyMs"]["p50"] is None
